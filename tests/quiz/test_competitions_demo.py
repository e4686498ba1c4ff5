"""The demo competitions of seed_demo: open today, over the Chinese demo bank, idempotent, playable."""

import pytest
from django.utils import timezone

from quiz import demo
from quiz.models import Competition
from quiz.services import attempts as attempt_services

pytestmark = pytest.mark.django_db


def test_seed_creates_the_open_competition_and_the_practice_once(participant):
    demo.seed_demo_banks()

    first = demo.seed_demo_competitions()
    second = demo.seed_demo_competitions()

    contest = Competition.objects.get(title=demo.DEMO_COMPETITION_TITLE)
    practice = Competition.objects.get(title=demo.DEMO_PRACTICE_TITLE)
    assert Competition.objects.count() == 2 and len(first) == len(second) == 2
    assert contest.status_at(timezone.now()) == "open"
    assert (contest.ends_at - timezone.now()).days >= 29
    assert (contest.questions_per_attempt, contest.time_limit_seconds, contest.attempts_per_day) == (
        10,
        600,
        3,
    )
    assert (contest.points_per_correct, contest.pass_mark, contest.is_practice) == (10, 60, False)
    assert practice.is_practice is True and practice.status_at(timezone.now()) == "open"
    assert [b.name for b in contest.banks.all()] == [demo.DEMO_BANKS[0][0]]
    assert [b.name for b in practice.banks.all()] == [demo.DEMO_BANKS[2][0]]

    attempt, created = attempt_services.attempt_start(user=participant, competition=contest)
    assert created and attempt.question_count == 10
    # The practice is playable while the ranked competition runs: it has its own questions.
    practice_attempt, created = attempt_services.attempt_start(user=participant, competition=practice)
    assert created and practice_attempt.question_count == 10


def test_seed_without_the_chinese_bank_creates_no_competition():
    lines = demo.seed_demo_competitions()

    assert Competition.objects.count() == 0
    assert len(lines) == 1
