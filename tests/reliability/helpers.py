"""The invariants every fault run must keep, and answers for participants driven through the public API.

Servers (daphne, a private Redis) come from tests/support/servers.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum

from quiz.models import Attempt, Participation


def answers_for(attempt: dict, correct: int) -> list[dict]:
    """Answers to an attempt payload: the first `correct` questions right.

    The payload never says what is right; the test banks make B right for every single-choice
    question (tests/factories/quiz.py), and options are not shuffled there."""
    return [
        {"question": q["id"], "selected": ["B"] if index < correct else ["A"]}
        for index, q in enumerate(attempt["questions"])
    ]


@dataclass
class Ledger:
    """What the clients were told: every accepted submission (attempt id -> score)."""

    accepted: dict[int, int] = field(default_factory=dict)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def accept(self, body: dict) -> None:
        assert body["status"] == "submitted"
        previous = self.accepted.setdefault(body["id"], body["score"])
        assert previous == body["score"], "a retried submission changed its score"


def stored_figures(competition_id: int) -> dict:
    """The same figures as the database holds them (the truth)."""
    attempts = Attempt.objects.filter(
        competition_id=competition_id, status=Attempt.Status.SUBMITTED, is_practice=False
    )
    participations = Participation.objects.filter(competition_id=competition_id)
    sums = participations.aggregate(points=Sum("points"), attempts=Sum("submitted_attempts"))
    by_region = {
        row["region_id"]: (row["people"], row["n"], row["p"])
        for row in attempts.values("region_id").annotate(
            people=Count("user", distinct=True), n=Count("id"), p=Sum("score")
        )
    }
    return {
        "attempt_rows": attempts.count(),
        "attempt_points": attempts.aggregate(p=Sum("score"))["p"] or 0,
        "participation_attempts": sums["attempts"] or 0,
        "participation_points": sums["points"] or 0,
        "participants": participations.filter(submitted_attempts__gt=0).count(),
        "by_region": by_region,
    }


def assert_nothing_lost(ledger: Ledger, competition_id: int, stats: dict | None = None) -> dict:
    """Accepted submissions = submitted attempt rows = Participation sums (= live figures when given)."""
    stored = stored_figures(competition_id)
    accepted = len(ledger.accepted)
    accepted_points = sum(ledger.accepted.values())
    assert set(
        Attempt.objects.filter(competition_id=competition_id, status=Attempt.Status.SUBMITTED).values_list(
            "id", flat=True
        )
    ) == set(ledger.accepted)
    assert (stored["attempt_rows"], stored["participation_attempts"]) == (accepted, accepted)
    assert (stored["attempt_points"], stored["participation_points"]) == (accepted_points, accepted_points)
    if stats is not None:
        assert (stats["attempts"], stats["points"], stats["participants"]) == (
            accepted,
            accepted_points,
            stored["participants"],
        )
        live_regions = {
            row["id"]: (row["participants"], row["attempts"], row["points"]) for row in stats["regions"]
        }
        for region_id, figures in stored["by_region"].items():
            assert live_regions[region_id] == figures
    return stored
