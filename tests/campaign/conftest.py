"""The small fixture campaign every campaign test works its numbers out on.

Regions: prefecture P > counties A, B; township "A town" below A.
Units (headcount target):        A School 4 (A, education)    A Site 5 (A town, construction)
                                 A Office 11 (A, education)   B School 2 (B, education)
                                 B Depot 3 (B, construction)
  county targets: A = 4 + 5 + 11 = 20, B = 2 + 3 = 5, all = 25.
People: u1, u2 in A School; u3 in A Site; u4, u5 in B School (u5's own industry: construction).
Questions (10 points per correct answer):
  Q1 single "fire" key B     Q2 single "fire" key A
  Q3 judge "traffic" key A   Q4 multiple "traffic" key AC
Counted attempts (d0, d1, d2 = three, two and one day ago):
  a1 u1 d0  Q1 B ok, Q2 A ok, Q3 A ok              score 30
  a2 u1 d1  Q1 C x,  Q3 A ok, Q4 AB x              score 10
  a3 u2 d1  Q1 B ok, Q2 D x,  Q4 AC ok             score 20
  a4 u3 d2  Q1 C x,  Q2 (no answer) x, Q3 B x      score 0
  a5 u4 d0  Q2 A ok, Q3 A ok, Q4 ABC x             score 20
  a6 u5 d2  Q1 shown A x (shuffled: shown A = own C), Q3 A ok, Q4 AC ok   score 20
Not counted: a practice attempt of u5 (30) and an unfinished attempt of u4.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Industry, Organization, Region, User
from quiz.models import Competition, Question, QuestionBank
from tests.campaign.helpers import local_moment, make_attempt
from tests.factories import UserFactory


@pytest.fixture
def campaign(db) -> SimpleNamespace:
    prefecture = Region.objects.create(
        code="990000", name_zh="测试州", name_en="P Prefecture", level="prefecture"
    )
    county_a = Region.objects.create(
        code="990100", name_zh="甲县", name_en="A County", level="county", parent=prefecture, sort_order=1
    )
    county_b = Region.objects.create(
        code="990200", name_zh="乙县", name_en="B County", level="county", parent=prefecture, sort_order=2
    )
    town_a = Region.objects.create(
        code="990101", name_zh="甲镇", name_en="A Town", level="township", parent=county_a
    )
    education = Industry.objects.create(code="edu", name_zh="教育", name_en="Education")
    construction = Industry.objects.create(code="build", name_zh="建筑施工", name_en="Construction")

    def unit(name, region, industry, target, **extra):
        return Organization.objects.create(
            name=name, region=region, industry=industry, headcount_target=target, **extra
        )

    units = SimpleNamespace(
        a_school=unit("A School", county_a, education, 4),
        a_site=unit("A Site", town_a, construction, 5, contact_name="Site Boss", contact_phone="13800000005"),
        a_office=unit(
            "A Office", county_a, education, 11, contact_name="Office Head", contact_phone="13800000011"
        ),
        b_school=unit("B School", county_b, education, 2),
        b_depot=unit("B Depot", county_b, construction, 3),
    )

    def person(name, region, organization, industry):
        return UserFactory(username=name, region=region, organization=organization, industry=industry)

    people = SimpleNamespace(
        u1=person("u1", county_a, units.a_school, education),
        u2=person("u2", county_a, units.a_school, education),
        u3=person("u3", town_a, units.a_site, construction),
        u4=person("u4", county_b, units.b_school, education),
        u5=person("u5", county_b, units.b_school, construction),
    )
    admin = UserFactory(username="boss", role=User.Role.ADMIN, region=None)
    organizer_a = UserFactory(
        username="org_a", role=User.Role.ORGANIZER, region=county_a, scope_region=county_a
    )
    organizer_b = UserFactory(
        username="org_b", role=User.Role.ORGANIZER, region=county_b, scope_region=county_b
    )

    today = timezone.localdate()
    d0, d1, d2 = today - timedelta(days=3), today - timedelta(days=2), today - timedelta(days=1)
    bank = QuestionBank.objects.create(name="campaign test bank")
    q1 = Question.objects.create(
        bank=bank,
        type="single",
        stem="Q1 fire",
        options=["a1", "b1", "c1", "d1"],
        answer="B",
        category="fire",
    )
    q2 = Question.objects.create(
        bank=bank,
        type="single",
        stem="Q2 fire",
        options=["a2", "b2", "c2", "d2"],
        answer="A",
        category="fire",
    )
    q3 = Question.objects.create(
        bank=bank, type="judge", stem="Q3 traffic", options=[], answer="A", category="traffic"
    )
    q4 = Question.objects.create(
        bank=bank,
        type="multiple",
        stem="Q4 traffic",
        options=["a4", "b4", "c4", "d4"],
        answer="AC",
        category="traffic",
    )
    competition = Competition.objects.create(
        title="Safety Month quiz",
        starts_at=local_moment(d0, 0),
        ends_at=timezone.now() + timedelta(days=7),
        questions_per_attempt=3,
        points_per_correct=10,
    )
    competition.banks.add(bank)

    attempts = SimpleNamespace(
        a1=make_attempt(
            user=people.u1, competition=competition, day=d0, answers=[(q1, "B"), (q2, "A"), (q3, "A")]
        ),
        a2=make_attempt(
            user=people.u1, competition=competition, day=d1, answers=[(q1, "C"), (q3, "A"), (q4, "AB")]
        ),
        a3=make_attempt(
            user=people.u2, competition=competition, day=d1, answers=[(q1, "B"), (q2, "D"), (q4, "AC")]
        ),
        a4=make_attempt(
            user=people.u3, competition=competition, day=d2, answers=[(q1, "C"), (q2, None), (q3, "B")]
        ),
        a5=make_attempt(
            user=people.u4, competition=competition, day=d0, answers=[(q2, "A"), (q3, "A"), (q4, "ABC")]
        ),
        # Q1 shuffled for a6: shown A is the question's C, shown C its B (the key).
        a6=make_attempt(
            user=people.u5,
            competition=competition,
            day=d2,
            answers=[(q1, "A"), (q3, "A"), (q4, "AC")],
            key_maps={q1.pk: {"A": "C", "B": "A", "C": "B", "D": "D"}},
        ),
    )
    make_attempt(
        user=people.u5,
        competition=competition,
        day=d2,
        practice=True,
        answers=[(q1, "B"), (q2, "A"), (q3, "A")],
    )
    make_attempt(user=people.u4, competition=competition, day=d2, submitted=False, answers=[(q1, None)])
    return SimpleNamespace(
        prefecture=prefecture,
        county_a=county_a,
        county_b=county_b,
        town_a=town_a,
        education=education,
        construction=construction,
        units=units,
        people=people,
        admin=admin,
        organizer_a=organizer_a,
        organizer_b=organizer_b,
        competition=competition,
        questions=SimpleNamespace(q1=q1, q2=q2, q3=q3, q4=q4),
        attempts=attempts,
        days=(d0, d1, d2, today),
    )


from tests.support.browser import browser, live_site, phone  # noqa: E402, F401
