"""Fixtures of the quiz tests."""

import pytest

from quiz.events import attempt_scored


@pytest.fixture
def scored_events() -> list[dict]:
    """Every `attempt_scored` event sent while the test runs, as `{"attempt_id": id}`."""
    calls: list[dict] = []

    def receiver(sender, *, attempt_id: int, **kwargs) -> None:
        calls.append({"attempt_id": attempt_id})

    attempt_scored.connect(receiver, weak=False, dispatch_uid="test-scored-events")
    yield calls
    attempt_scored.disconnect(dispatch_uid="test-scored-events")
