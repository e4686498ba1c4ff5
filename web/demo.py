"""Demo answers for `seed_demo`: a crowd of participants in every county and unit who answered the
demo competition over its first days, so that every chart, ranking and lagging list of the
dashboard and campaign pages shows something on a fresh `make run`.

Attempts go through quiz's own services (`attempt_start`, `attempt_submit`, which hand them to the
leaderboard), so the figures are what real answering would give. Deterministic and idempotent: the
crowd is fixed by the unit list, and a demo person who has answered already is left alone, so a
second run writes nothing. About 130 people and 200 attempts: a few seconds.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from quiz.models import Attempt, AttemptItem, Competition
from quiz.services.attempts import attempt_start, attempt_submit

CROWD_PREFIX = "demo_"
# People per unit at full county momentum, in UNIT_TEMPLATES order (agency, school, hospital,
# construction, transport); a county's momentum scales them, so counties and units rank apart and
# some units have nobody yet (they head the lagging list).
UNIT_CROWD = [6, 9, 7, 4, 3]
COUNTY_MOMENTUM = {
    "622901": 1.0,
    "622921": 0.8,
    "622922": 0.55,
    "622923": 0.9,
    "622924": 0.35,
    "622925": 0.65,
    "622926": 0.45,
    "622927": 0.2,
}
SURNAMES = "马王张李刘陈杨赵黄周吴徐孙胡朱高林何郭罗"
GIVEN = ["明", "丽", "强", "芳", "军", "燕", "伟", "娟", "海", "霞", "磊", "静", "斌", "敏", "涛", "红"]
DAYS = 7  # the answers spread over the competition's first days (it opens DAYS days back at least)


def _crowd(units: list[Organization]) -> list[tuple[str, str, Organization]]:
    """(username, display name, unit) of every demo person, the same on every run."""
    people = []
    for unit in units:
        county_code = unit.region.code
        index = unit.demo_index
        rng = random.Random(f"{county_code}-{index}")
        count = round(UNIT_CROWD[index % len(UNIT_CROWD)] * COUNTY_MOMENTUM.get(county_code, 0.5))
        count = max(0, count + rng.choice((-1, 0, 0, 1)))
        for n in range(count):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
            people.append((f"{CROWD_PREFIX}{county_code}_{index}_{n}", name, unit))
    return people


def _answers(attempt: Attempt, *, right: int) -> list[dict]:
    items = sorted(attempt.items.all(), key=lambda item: item.position)
    return [
        {"question": item.question_id, "selected": _choice(item, right=n < right)}
        for n, item in enumerate(items)
    ]


def _choice(item: AttemptItem, *, right: bool) -> list[str]:
    if right:
        return list(item.correct)
    return [o["key"] for o in item.options if o["key"] not in item.correct][:1]


def _moments(rng: random.Random, *, opens: datetime, now: datetime) -> list[datetime]:
    """One to three submission times between the opening and now, on different days, oldest first."""
    first = rng.randint(0, DAYS - 1)
    days = sorted({first, *(rng.randint(first, DAYS - 1) for _ in range(rng.choice((0, 0, 0, 1, 1, 2))))})
    moments = []
    today = timezone.localdate(now)
    for day in days:
        date = today - timedelta(days=DAYS - 1 - day)
        at = timezone.make_aware(datetime.combine(date, time(8))) + timedelta(minutes=rng.randint(0, 13 * 60))
        at = min(max(at, opens + timedelta(minutes=15)), now - timedelta(minutes=5))
        moments.append(at)
    return sorted(set(moments))


def seed_demo_attempts(*, competition_title: str, now: datetime | None = None) -> list[str]:
    """The demo crowd and its answers to `competition_title` (see the module docstring)."""
    competition = Competition.objects.filter(title=competition_title).first()
    if competition is None:
        return []
    now = now or timezone.now()
    units = list(Organization.objects.select_related("region", "industry").order_by("region__code", "id"))
    position: dict[int, int] = {}
    for unit in units:
        unit.demo_index = position.get(unit.region_id, 0)
        position[unit.region_id] = unit.demo_index + 1
    done = set(
        Attempt.objects.filter(competition=competition, user__username__startswith=CROWD_PREFIX).values_list(
            "user__username", flat=True
        )
    )
    created_people = created_attempts = 0
    with transaction.atomic():
        for username, name, unit in _crowd(units):
            if username in done:
                continue
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": name,
                    "role": User.Role.PARTICIPANT,
                    "region": unit.region,
                    "organization": unit,
                    "industry": unit.industry,
                },
            )
            if created:
                user.set_unusable_password()  # the crowd only answers; nobody logs in as it
                user.save(update_fields=["password"])
                created_people += 1
            rng = random.Random(username)
            for at in _moments(rng, opens=competition.starts_at, now=now):
                if competition.status_at(at) != "open":
                    continue
                started = at - timedelta(seconds=rng.randint(90, 480))
                attempt, _created = attempt_start(user=user, competition=competition, now=started)
                right = min(competition.questions_per_attempt, max(2, round(rng.gauss(7.5, 1.8))))
                attempt_submit(
                    user=user, attempt_id=attempt.pk, answers=_answers(attempt, right=right), now=at
                )
                created_attempts += 1
    return [
        _("Demo answers: %(people)d new people, %(attempts)d new attempts.")
        % {"people": created_people, "attempts": created_attempts}
    ]
