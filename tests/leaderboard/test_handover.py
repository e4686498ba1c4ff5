"""Scoring hands the leaderboard what it knows (quiz.events.ScoredAttempt): the record built from
it must equal the one read back from the database after commit, field for field (services tier:
the totals come from PostgreSQL's UPDATE ... RETURNING)."""

import pytest

from leaderboard.services import _record_from_scoring, _submission_record
from quiz.events import attempt_scored
from quiz.services import attempts as svc
from tests.factories import CompetitionFactory, UserFactory, make_bank

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
