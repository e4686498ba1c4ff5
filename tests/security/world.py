"""A small world with every role the authorization matrix and the fuzzer need.

- Linxia City (county 622901): participants `owner` (with a phone, a submitted and a running
  attempt) and `other`; organizer `organizer_linxia` (the demo one, scoped to Linxia City).
- Dongxiang (county 622926): participant `far` (a submitted attempt), organizer `organizer_far`.
- `admin` (the demo administrator).
- One open competition over one bank; a bulletin issued by each organizer; a reminder to a Linxia unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rest_framework.authtoken.models import Token

from accounts.demo import seed_accounts_data
from accounts.models import Region, User
from accounts.services import user_set_role
from campaign.models import Bulletin
from campaign.services.bulletins import bulletin_issue
from campaign.services.draws import draw_create
from campaign.services.reminders import reminder_issue
from quiz.models import Attempt, Competition, QuestionBank
from quiz.services.attempts import attempt_start
from tests.factories import AttemptFactory, CompetitionFactory, UserFactory, make_bank

PHONE = "13912345678"


@dataclass
class World:
    users: dict[str, User | None]
    tokens: dict[str, str]
    competition: Competition
    bank: QuestionBank
    owner_attempt: Attempt  # submitted, Linxia City
    running_attempt: Attempt  # in progress, Linxia City
    far_attempt: Attempt  # submitted, Dongxiang
    question_id: int  # a question of running_attempt
    near_unit: int  # a unit of Linxia City (the reminded one)
    bulletin_near: Bulletin  # issued by the Linxia City organizer
    bulletin_far: Bulletin  # issued by the Dongxiang organizer
    draw: int  # a prize draw of the competition, made by the admin

    def token(self, role: str) -> str | None:
        return self.tokens.get(role)


def seed_linxia() -> dict:
    """The demo prefecture (tests/conftest.py's `linxia`), for fixtures wider than one test."""
    seed_accounts_data()
    return {
        "linxia_city": Region.objects.get(code="622901"),
        "dongxiang": Region.objects.get(code="622926"),
        "admin": User.objects.get(username="admin"),
        "organizer": User.objects.get(username="organizer_linxia"),
    }


def build_world(linxia: dict) -> World:
    """Everything above, written through the platform's own services."""
    near, far_county = linxia["linxia_city"], linxia["dongxiang"]
    near_unit = near.organizations.order_by("id").first()
    far_unit = far_county.organizations.order_by("id").first()
    owner = UserFactory(username="owner", region=near, organization=near_unit, phone=PHONE)
    other = UserFactory(username="other", region=near, organization=near_unit)
    far = UserFactory(username="far", region=far_county, organization=far_unit)
    organizer_far = UserFactory(username="organizer_far", region=far_county)
    user_set_role(user=organizer_far, role=User.Role.ORGANIZER, scope_region_id=far_county.pk)

    bank = make_bank(singles=8)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=4, attempts_per_day=50, pass_mark=10)
    owner_attempt = AttemptFactory(user=owner, competition=competition, correct=3)
    far_attempt = AttemptFactory(user=far, competition=competition, correct=1)
    running, _ = attempt_start(user=owner, competition=competition)

    users = {
        "anonymous": None,
        "participant": owner,
        "other_participant": other,
        "far_participant": far,
        "organizer": linxia["organizer"],
        "organizer_far": organizer_far,
        "admin": linxia["admin"],
    }
    tokens = {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items() if user}
    bulletin_near = bulletin_issue(
        competition=competition, issued_by=linxia["organizer"], scope=linxia["organizer"].scope_region
    )
    bulletin_far = bulletin_issue(competition=competition, issued_by=organizer_far, scope=far_county)
    reminder_issue(
        competition=competition,
        issued_by=linxia["organizer"],
        organization_ids=[near_unit.pk],
        threshold=Decimal("0.9"),
    )
    return World(
        users=users,
        tokens=tokens,
        competition=competition,
        bank=bank,
        owner_attempt=owner_attempt,
        running_attempt=running,
        far_attempt=far_attempt,
        near_unit=near_unit.pk,
        question_id=sorted(running.items.all(), key=lambda item: item.position)[0].question_id,
        bulletin_near=bulletin_near,
        bulletin_far=bulletin_far,
        draw=draw_create(
            competition=competition,
            created_by=linxia["admin"],
            title="抽奖",
            seed="518",
            prizes=[{"name": "一等奖", "count": 1}],
            eligibility={},
        ).pk,
    )
