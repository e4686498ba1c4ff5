"""Scoring hands the leaderboard what it knows (quiz.events.ScoredAttempt): the record built from
it must equal the one read back from the database after commit, field for field (services tier:
the totals come from PostgreSQL's UPDATE ... RETURNING), its hook runs no SQL, and a role change
committed between the scoring and the hook still decides whether the person is ranked."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.services import user_set_role
from leaderboard.services import _record_from_scoring, _submission_record
from leaderboard.store import competition_stamp, get_store
from quiz.events import attempt_scored
from quiz.services import attempts as svc
from tests.factories import AttemptFactory, CompetitionFactory, UserFactory, competition_with_bank, make_bank


def _stamp(competition) -> str:
    return competition_stamp(competition_id=competition.pk, created_at=competition.created_at)


pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def handed_over():
    received: list = []

    def receiver(sender, *, attempt_id: int, scored=None, **kwargs) -> None:
        received.append(scored)

    attempt_scored.connect(receiver, weak=False, dispatch_uid="test-handover")
    yield received
    attempt_scored.disconnect(dispatch_uid="test-handover")


def test_the_handed_over_record_equals_the_one_read_back(
    linxia, handed_over, django_capture_on_commit_callbacks
):
    user = UserFactory(region=linxia["linxia_city"], organization=linxia["linxia_city"].organizations.first())
    assert user.organization is not None
    competition = CompetitionFactory(
        banks=[make_bank(singles=6)], questions_per_attempt=5, attempts_per_day=3
    )
    for answer in (["B"], ["A"]):  # the second attempt scores 0: points_reached_at must stay
        attempt, _ = svc.attempt_start(user=user, competition=competition)
        answers = [{"question": item.question_id, "selected": answer} for item in attempt.items.all()]
        with django_capture_on_commit_callbacks(execute=True):
            svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)

        scored = handed_over[-1]
        assert scored is not None
        assert _record_from_scoring(scored) == _submission_record(attempt_id=attempt.pk)
    assert (scored.points, scored.submitted_attempts, scored.best_score) == (50, 2, 50)


def _submitted_but_not_handed_over(user, competition, django_capture_on_commit_callbacks) -> tuple:
    """The attempt scored and committed; its after-commit hook held back (returned to run later)."""
    attempt, _ = svc.attempt_start(user=user, competition=competition)
    answers = [{"question": item.question_id, "selected": ["B"]} for item in attempt.items.all()]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)
    return attempt, callbacks


def test_the_hook_of_a_handed_over_attempt_runs_no_sql(
    linxia, handed_over, django_capture_on_commit_callbacks, django_assert_num_queries
):
    county = linxia["linxia_city"]
    competition = competition_with_bank()
    AttemptFactory(user=UserFactory(region=county), competition=competition, correct=1)  # built in Redis
    user = UserFactory(region=county, organization=county.organizations.first())
    attempt, callbacks = _submitted_but_not_handed_over(user, competition, django_capture_on_commit_callbacks)

    with django_assert_num_queries(0):
        for callback in callbacks:
            callback()

    assert handed_over[-1] is not None
    assert get_store().recorded_attempts(_stamp(competition), [attempt.pk]) == {attempt.pk}
    assert [e.user_id for e in get_store().individual_top(competition.pk, 10)[0]][0] == user.pk


@pytest.mark.parametrize("known", [False, True], ids=["first attempt", "known before"])
def test_a_promotion_committed_before_the_hook_keeps_the_person_out_of_the_ranking(
    linxia, known, django_capture_on_commit_callbacks
):
    """The hand-over says "ranked" (read when the attempt was scored); the promotion commits and
    its hook runs before the submission's: the person must still leave the individual ranking."""
    county = linxia["linxia_city"]
    competition = competition_with_bank(attempts_per_day=5)
    other = UserFactory(region=county)
    AttemptFactory(user=other, competition=competition, correct=1)
    user = UserFactory(region=county)
    if known:
        AttemptFactory(user=user, competition=competition, correct=2)
    attempt, callbacks = _submitted_but_not_handed_over(user, competition, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        user_set_role(user=user, role=User.Role.ORGANIZER, scope_region_id=county.pk)
    for callback in callbacks:  # the submission's hook, late
        callback()

    store = get_store()
    assert store.recorded_attempts(_stamp(competition), [attempt.pk]) == {attempt.pk}
    assert [e.user_id for e in store.individual_top(competition.pk, 10)[0]] == [other.pk]
    assert store.individual_position(competition.pk, user.pk) is None
    totals = store.live_numbers(competition.pk).totals
    assert (totals.participants, totals.attempts) == (2, 3 if known else 2)  # still counted
    call_command("rebuild_leaderboards", stdout=io.StringIO())
    assert [e.user_id for e in store.individual_top(competition.pk, 10)[0]] == [other.pk]
