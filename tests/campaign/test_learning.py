"""Is the campaign teaching? The share of wrong answers since mastered, per category, in the organizer's
scope: the selector, its query count, the API (scope, 401/403) and the item-analysis page.

On the fixture campaign (tests/campaign/conftest.py), the wrong answers (person, question) of the
counted attempts are:
  county A: u1 Q1 (a2), u1 Q4 (a2), u2 Q2 (a3), u3 Q1, u3 Q2 (blank), u3 Q3 (a4)
  county B: u4 Q4 (a5), u5 Q1 (a6; right once after, in u5's practice attempt: a streak of 1)
  fire = Q1, Q2; traffic = Q3, Q4.
Learning rounds added here, today (after every counted attempt):
  u1 Q1 right, right            -> mastered
  u3 Q3 right, right            -> mastered (u3 is in A's township: A's scope)
  u4 Q4 right, right            -> mastered
  u2 Q2 right, wrong, right     -> not mastered (the new wrong answer brought it back)
  u1 Q2 wrong in another competition -> not this competition's wrong answer
So:
  all:  fire 5 wrong, 1 mastered (0.2); traffic 3 wrong, 2 mastered (0.6667); total 8, 3, 0.375
  A:    fire 4, 1 (0.25); traffic 2, 1 (0.5); total 6, 2, 0.3333
  B:    fire 1, 0 (0.0); traffic 1, 1 (1.0); total 2, 1, 0.5
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from campaign.selectors import learning_by_category
from quiz.models import Attempt, Competition
from tests.campaign.helpers import local_moment, make_attempt
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _round(campaign, person, question, selected: str, hour: int) -> None:
    """A wrong-answer round of one question, submitted today at `hour`:00 (Asia/Shanghai)."""
    today = campaign.days[3]
    attempt = make_attempt(
        user=person,
        competition=campaign.competition,
        day=today,
        practice=True,
        answers=[(question, selected)],
        submitted_at=local_moment(today, hour),
    )
    Attempt.objects.filter(pk=attempt.pk).update(kind=Attempt.Kind.WRONG_ANSWERS)


@pytest.fixture
def learning(campaign):
    people, q = campaign.people, campaign.questions
    for hour in (11, 12):
        _round(campaign, people.u1, q.q1, "B", hour)
        _round(campaign, people.u3, q.q3, "A", hour)
        _round(campaign, people.u4, q.q4, "AC", hour)
    for hour, selected in ((11, "A"), (12, "D"), (13, "A")):
        _round(campaign, people.u2, q.q2, selected, hour)
    other = Competition.objects.create(
        title="Another quiz",
        starts_at=campaign.competition.starts_at,
        ends_at=timezone.now() + timedelta(days=7),
        questions_per_attempt=1,
    )
    other.banks.add(q.q1.bank)
    make_attempt(user=people.u1, competition=other, day=campaign.days[3], answers=[(q.q2, "D")])
    return campaign


def _figures(body: dict) -> tuple:
    return (
        body["wrong_questions"],
        body["mastered"],
        body["mastered_share"],
        [
            (r["category"], r["wrong_questions"], r["mastered"], r["mastered_share"])
            for r in body["categories"]
        ],
    )


def test_share_mastered_per_category_over_every_county(learning):
    body = learning_by_category(competition=learning.competition, scope=None)

    assert _figures(body) == (8, 3, 0.375, [("fire", 5, 1, 0.2), ("traffic", 3, 2, 0.6667)])
    assert (body["competition"]["id"], body["region"]) == (learning.competition.pk, None)


def test_share_mastered_in_one_county_counts_its_people_only(learning):
    county_a = learning_by_category(competition=learning.competition, scope=learning.county_a)
    county_b = learning_by_category(competition=learning.competition, scope=learning.county_b)

    assert _figures(county_a) == (6, 2, 0.3333, [("fire", 4, 1, 0.25), ("traffic", 2, 1, 0.5)])
    assert _figures(county_b) == (2, 1, 0.5, [("fire", 1, 0, 0.0), ("traffic", 1, 1, 1.0)])
    assert county_b["region"]["code"] == "990200"


def test_without_wrong_answers_the_share_is_null(campaign):
    empty = Competition.objects.create(
        title="Nobody answered", starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=1)
    )

    body = learning_by_category(competition=empty, scope=None)

    assert _figures(body) == (0, 0, None, [])


def test_the_figure_takes_two_queries_whatever_the_number_of_people(learning, django_assert_num_queries):
    # One query for the wrong (person, question) pairs, one for every item of those people on those
    # questions; mastery is then worked out from those rows, never one query per person.
    with django_assert_num_queries(2):
        few = learning_by_category(competition=learning.competition, scope=None)
    for n in range(6):
        person = type(learning.people.u1).objects.create(
            username=f"extra{n}", region=learning.county_b, organization=learning.units.b_depot
        )
        make_attempt(
            user=person,
            competition=learning.competition,
            day=learning.days[2],
            answers=[(learning.questions.q3, "B")],
        )
    with django_assert_num_queries(2):
        more = learning_by_category(competition=learning.competition, scope=None)
    assert (few["wrong_questions"], more["wrong_questions"]) == (8, 14)


def _url(campaign) -> str:
    return f"/api/v1/competitions/{campaign.competition.pk}/learning/"


def test_api_gives_the_organizer_their_county_only(learning):
    body = client_for(learning.organizer_b).get(_url(learning)).json()

    assert body["region"]["code"] == "990200"
    assert _figures(body) == (2, 1, 0.5, [("fire", 1, 0, 0.0), ("traffic", 1, 1, 1.0)])


def test_api_refuses_another_countys_region_with_out_of_scope(learning):
    response = client_for(learning.organizer_b).get(_url(learning), {"region": learning.county_a.pk})

    assert (response.status_code, response.json()["code"]) == (403, "out_of_scope")


def test_api_lets_an_admin_pick_any_county(learning):
    body = client_for(learning.admin).get(_url(learning), {"region": learning.county_a.pk}).json()

    assert _figures(body) == (6, 2, 0.3333, [("fire", 4, 1, 0.25), ("traffic", 2, 1, 0.5)])


def test_api_is_for_organizers_and_admins_only(learning):
    anonymous = APIClient().get(_url(learning))
    participant = client_for(learning.people.u1).get(_url(learning))

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert participant.status_code == 403
    assert client_for(learning.admin).get("/api/v1/competitions/999999/learning/").status_code == 404


def test_item_analysis_page_shows_the_share_mastered_per_category(learning):
    client = Client()
    client.force_login(learning.organizer_a)

    html = client.get(f"/campaign/competitions/{learning.competition.pk}/items/").content.decode()

    assert "学习成效：错题掌握了吗？" in html
    assert "本范围内答错 6 题次，其中 2 题次（33.3%）已掌握" in html
    rows = [
        re.sub(r"<[^>]+>", "|", row).strip("|").replace("||", "|")
        for row in re.findall(
            r"<tr>(.*?)</tr>", html[html.index('id="learning-table"') :].split("</table>")[0]
        )
    ]
    assert rows[1:] == ["fire|4|1|25.0%", "traffic|2|1|50.0%"]
    other_county = client.get(
        f"/campaign/competitions/{learning.competition.pk}/items/", {"region": learning.county_b.pk}
    )
    assert other_county.status_code == 403
