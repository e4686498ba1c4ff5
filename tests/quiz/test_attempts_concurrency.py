"""Races on PostgreSQL with real threads, each on its own connection (services tier)."""

from collections import Counter

import pytest

from core.errors import ApplicationError
from quiz.models import Attempt, Participation
from quiz.services import attempts as svc
from tests.factories import CompetitionFactory, UserFactory, make_bank
from tests.support.threads import run_in_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(linxia):
    user = UserFactory(region=linxia["linxia_city"])
    competition = CompetitionFactory(
        banks=[make_bank(singles=10)], questions_per_attempt=5, attempts_per_day=3
    )
    return user, competition


def test_twenty_parallel_submissions_of_one_attempt_score_once(setup, scored_events):
    user, competition = setup
    calls = scored_events
    attempt, _ = svc.attempt_start(user=user, competition=competition)
    answers = [{"question": item.question_id, "selected": ["B"]} for item in attempt.items.all()]

    results = run_in_threads(
        20, lambda i: svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert Counter(scored for _attempt, scored in results) == {True: 1, False: 19}
    assert {(a.score, a.correct_count) for a, _scored in results} == {(50, 5)}
    p = Participation.objects.get(user=user, competition=competition)
    assert (p.points, p.submitted_attempts, p.best_score) == (50, 1, 50)
    # Every answer hands the same attempt to the leaderboard (it counts an attempt id once).
    assert calls and all(call == {"attempt_id": attempt.pk} for call in calls)


def test_ten_parallel_starts_against_a_quota_of_three_yield_exactly_three(setup):
    user, competition = setup

    def start_and_submit_until_refused(_index: int) -> str:
        while True:
            try:
                attempt, _created = svc.attempt_start(user=user, competition=competition)
            except ApplicationError as exc:
                return exc.code
            svc.attempt_submit(user=user, attempt_id=attempt.pk)

    results = run_in_threads(10, start_and_submit_until_refused)

    assert results == ["daily_limit_reached"] * 10
    assert Attempt.objects.filter(user=user, competition=competition).count() == 3
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 3


def test_ten_parallel_starts_of_one_user_share_one_attempt(setup):
    user, competition = setup

    results = run_in_threads(10, lambda i: svc.attempt_start(user=user, competition=competition))

    assert not [r for r in results if isinstance(r, Exception)]
    assert len({attempt.pk for attempt, _created in results}) == 1
    assert Counter(created for _attempt, created in results) == {True: 1, False: 9}
    assert Attempt.objects.count() == 1
    assert Participation.objects.filter(user=user, competition=competition).count() == 1


def test_parallel_expiry_finalises_an_abandoned_attempt_once(setup):
    user, competition = setup
    attempt, _ = svc.attempt_start(user=user, competition=competition)
    later = attempt.deadline + svc.grace() * 2

    results = run_in_threads(8, lambda i: svc.attempt_expire_overdue(user=user, now=later))

    assert sorted(results) == [0] * 7 + [1]
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 1


@pytest.mark.parametrize("round_", range(3))
def test_answers_saved_while_the_attempt_is_submitted_are_scored_or_refused_never_lost(setup, round_):
    """Saving an answer is one statement (quiz.services.attempts): an answer that was accepted must
    be in the score, whichever of the save and the submission takes the attempt's lock first."""
    user, competition = setup
    attempt, _ = svc.attempt_start(user=user, competition=competition)
    question_ids = [item.question_id for item in attempt.items.all()]

    def work(index: int):
        if index == len(question_ids):
            return svc.attempt_submit(user=user, attempt_id=attempt.pk)
        return svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=question_ids[index], selected=["B"]
        )

    results = run_in_threads(len(question_ids) + 1, work)

    saves, submitted = results[:-1], results[-1]
    accepted = [r for r in saves if not isinstance(r, Exception)]
    refused = [r for r in saves if isinstance(r, Exception)]
    assert all(isinstance(r, ApplicationError) and r.code == "already_submitted" for r in refused)
    scored = Attempt.objects.get(pk=attempt.pk)
    assert not isinstance(submitted, Exception)
    assert (scored.correct_count, scored.score) == (len(accepted), 10 * len(accepted))
