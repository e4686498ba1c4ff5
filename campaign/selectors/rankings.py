"""Rankings of counties and units by participants, rate, points and average score."""

from datetime import datetime
from typing import Any

from accounts.models import Region
from campaign.selectors.statistics import statistics_by_county, statistics_by_organization, statistics_totals
from quiz.models import Competition

RANK_METRICS = {
    "participants": "participants",
    "rate": "participation_rate",
    "points": "points",
    "average_score": "average_score",
}


def _value(row: dict, field: str) -> float:
    value = row.get(field)
    return -1.0 if value is None else float(value)


def rank_rows(rows: list[dict[str, Any]], *, ranked_by: str = "rate") -> list[dict[str, Any]]:
    """The rows with `rank_<metric>` for every metric, sorted by `ranked_by`, `rank` being that rank.

    Ranks are competition ranks (1, 2, 2, 4): equal figures share a place. A missing figure
    (no target, no attempt) ranks below every real one. Ties in the sort fall back to the other
    metrics in the order rate, participants, points, average score, then name.
    """
    ranked = [dict(row) for row in rows]
    for metric, field in RANK_METRICS.items():
        ordered = sorted(ranked, key=lambda r, f=field: -_value(r, f))
        previous = None
        for position, row in enumerate(ordered, start=1):
            value = _value(row, field)
            if value != previous:
                rank = position
                previous = value
            row[f"rank_{metric}"] = rank
    primary = RANK_METRICS[ranked_by]
    tie_fields = [primary, *[f for f in RANK_METRICS.values() if f != primary]]
    ranked.sort(key=lambda r: (*[-_value(r, f) for f in tie_fields], r.get("name_zh") or r.get("name", "")))
    for row in ranked:
        row["rank"] = row[f"rank_{ranked_by}"]
    return ranked


def campaign_rankings(
    *, competition: Competition, scope: Region | None, ranked_by: str = "rate", as_of: datetime | None = None
) -> dict[str, Any]:
    """County and unit rankings of the scope as of a moment: what a bulletin freezes."""
    return {
        "totals": statistics_totals(competition=competition, scope=scope, as_of=as_of),
        "counties": rank_rows(
            statistics_by_county(competition=competition, scope=scope, as_of=as_of), ranked_by=ranked_by
        ),
        "units": rank_rows(
            statistics_by_organization(competition=competition, scope=scope, as_of=as_of), ranked_by=ranked_by
        ),
    }
