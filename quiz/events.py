"""Events the quiz app publishes for the apps above it, which subscribe without quiz knowing them.

The layers run one way (core < accounts < quiz < leaderboard < ...): quiz never imports the
leaderboard. Instead it publishes what happened, after commit, and the leaderboard subscribes in
its AppConfig.ready(). Modelled on Zulip's `send_event_on_commit`.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent after the commit of a transaction that scored a counted (non-practice) attempt, with the
# keyword `attempt_id`. Receivers must be idempotent per attempt id: a retried submission sends it
# again. Subscriber: leaderboard.services.leaderboard_record_submission (see leaderboard/apps.py).
attempt_scored = Signal()


def attempt_scored_send_on_commit(*, attempt_id: int) -> None:
    """Publish "this attempt was scored" once the current transaction commits (nothing if it rolls back).

    Precondition: called inside the transaction that scored the attempt. Subscriber:
    `leaderboard.services.leaderboard_record_submission`, which puts it on the live leaderboard.
    A failing subscriber is logged by `send_robust` and never fails the submission, which is
    committed by then.
    """
    transaction.on_commit(lambda: attempt_scored.send_robust(sender=None, attempt_id=attempt_id))
