"""Events the quiz app publishes for the apps above it, which subscribe without quiz knowing them.

The layers run one way (core < accounts < quiz < leaderboard < ...): quiz never imports the
leaderboard. Instead it publishes what happened, after commit, and the leaderboard subscribes in
its AppConfig.ready(). Modelled on Zulip's `send_event_on_commit`, with an outbox row so that the
hand-over survives a process killed between the commit and the after-commit hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.dispatch import Signal

from quiz.models import AttemptScoredOutbox

# Sent after the commit of a transaction that scored a counted (non-practice) attempt, with the
# keyword `attempt_id`. Receivers must be idempotent per attempt id: a retried submission sends it
# again, and the outbox row may be consumed by another process as well. Subscriber:
# leaderboard.services.leaderboard_record_submission (connected in leaderboard/apps.py).
attempt_scored = Signal()


@dataclass(frozen=True)
class ScoredAttempt:
    """What scoring knew when it committed an attempt, handed to the subscribers so that they need
    not read anything back (`scored=` of attempt_scored; None when scoring did not gather it: a
    retry, the outbox drain, SQLite, the general path). `points`, `best_score`,
    `submitted_attempts` and `points_reached_at` are the Participation row's totals right after
    this attempt (`UPDATE ... RETURNING` in the same transaction); `user_name`, `ranked`
    (accounts.models.User.is_ranked) and `organization_name` (the unit's, "" without one) were
    read with the attempt's lock, in the same transaction."""

    attempt_id: int
    competition_id: int
    competition_created_at: datetime
    user_id: int
    user_name: str
    score: int
    submitted_at: datetime
    region_id: int | None
    organization_id: int | None
    organization_name: str
    ranked: bool
    points: int
    best_score: int
    submitted_attempts: int
    points_reached_at: datetime | None


def attempt_scored_publish(
    *, attempt_id: int, competition_id: int, scored: ScoredAttempt | None = None
) -> None:
    """Publish "this attempt was scored": an outbox row now, the `attempt_scored` signal after commit.

    Precondition: called inside the transaction that scored the attempt, so the outbox row
    (AttemptScoredOutbox, one per attempt: a second publish writes nothing) commits with the score
    or not at all. Subscriber: `leaderboard.services.leaderboard_record_submission`, which puts the
    attempt on the live leaderboard; `leaderboard.services.leaderboard_outbox_drain` (run every
    few seconds in every server process) deletes the row once the live figures hold the attempt,
    and records it itself if the process died first or Redis did not answer. A failing subscriber
    is logged by `send_robust` and never fails the submission, which is committed by then.
    """
    AttemptScoredOutbox.objects.bulk_create(
        [AttemptScoredOutbox(attempt_id=attempt_id, competition_id=competition_id)], ignore_conflicts=True
    )
    attempt_scored_after_commit(attempt_id=attempt_id, scored=scored)


def attempt_scored_after_commit(*, attempt_id: int, scored: ScoredAttempt | None = None) -> None:
    """The second half of attempt_scored_publish, for a caller that wrote the outbox row itself in
    the same transaction (scoring on PostgreSQL writes it in its one statement,
    quiz/services/finalising.py): the `attempt_scored` signal after commit."""
    transaction.on_commit(
        lambda: attempt_scored.send_robust(sender=None, attempt_id=attempt_id, scored=scored)
    )
