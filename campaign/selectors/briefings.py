"""The daily briefing (通报): the statistics selectors' figures as of now and 24 hours earlier, placed,
with the lagging and the supervised (督办) units named; as a dict, chat-ready text, and a poster.

Nothing is computed here that the statistics selectors do not compute: totals and rows are theirs
(the same moment passed as `as_of`), places are rank_rows', lagging units lagging_units'.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region
from campaign.selectors.rankings import rank_rows
from campaign.selectors.reminders import lagging_units, supervision_list
from campaign.selectors.statistics import (
    region_ref,
    statistics_by_county,
    statistics_by_organization,
    statistics_totals,
)
from quiz.models import Competition

# The rate below which a unit is named as lagging in the briefing (the lagging page's default).
BRIEFING_THRESHOLD = Decimal("0.6")


def _by_units(scope: Region | None) -> bool:
    """A county (or anything below) is briefed unit by unit, a prefecture or everything county by county."""
    return scope is not None and scope.level != Region.Level.PREFECTURE


def _rows(*, competition: Competition, scope: Region | None, as_of: datetime, units: bool) -> list[dict]:
    selector = statistics_by_organization if units else statistics_by_county
    return rank_rows(selector(competition=competition, scope=scope, as_of=as_of), ranked_by="rate")


def _delta_rate(now: float | None, before: float | None) -> float | None:
    if now is None or before is None:
        return None
    return round(now - before, 4)


def briefing_build(
    *,
    competition: Competition,
    scope: Region | None,
    now: datetime | None = None,
    threshold: Decimal = BRIEFING_THRESHOLD,
) -> dict[str, Any]:
    """The briefing as of `now` (default: this moment), compared with 24 hours before.

    `rows` are counties (or units, for a county scope) ranked by participation rate (places 1, 2, 2, 4),
    each with `change` = participants gained, rate change and the place 24 hours before.
    """
    now = now or timezone.now()
    previous = now - timedelta(days=1)
    units = _by_units(scope)
    totals = statistics_totals(competition=competition, scope=scope, as_of=now)
    totals_before = statistics_totals(competition=competition, scope=scope, as_of=previous)
    rows = _rows(competition=competition, scope=scope, as_of=now, units=units)
    before = {
        row["id"]: row for row in _rows(competition=competition, scope=scope, as_of=previous, units=units)
    }
    places = []
    for row in rows:
        old = before.get(row["id"], {})
        places.append(
            {
                "id": row["id"],
                "name": row["name"],
                "participants": row["participants"],
                "headcount_target": row["headcount_target"],
                "participation_rate": row["participation_rate"],
                "place": row["rank"],
                "change": {
                    "participants": row["participants"] - old.get("participants", 0),
                    "participation_rate": _delta_rate(
                        row["participation_rate"], old.get("participation_rate")
                    ),
                    "previous_place": old.get("rank"),
                },
            }
        )
    lagging = lagging_units(competition=competition, scope=scope, threshold=threshold)
    return {
        "competition": {"id": competition.pk, "title": competition.title},
        "region": region_ref(scope),
        "as_of": now,
        "previous": previous,
        "rows_are": "organizations" if units else "counties",
        "threshold": float(threshold),
        "totals": {
            "participants": totals["participants"],
            "headcount_target": totals["headcount_target"],
            "participation_rate": totals["participation_rate"],
            "attempts": totals["attempts"],
            "units": totals["units"],
            "change": {
                "participants": totals["participants"] - totals_before["participants"],
                "participation_rate": _delta_rate(
                    totals["participation_rate"], totals_before["participation_rate"]
                ),
                "attempts": totals["attempts"] - totals_before["attempts"],
            },
        },
        "rows": places,
        "lagging": [
            {
                "id": unit["id"],
                "name": unit["name"],
                "county": unit["county"]["name"],
                "participants": unit["participants"],
                "headcount_target": unit["headcount_target"],
                "participation_rate": unit["participation_rate"],
            }
            for unit in lagging
        ],
        "supervision": supervision_list(competition=competition, scope=scope),
    }


def percent(rate: float | None) -> str:
    """0.15 -> "15.0%"; no target -> "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def threshold_percent(rate: float) -> str:
    """0.6 -> "60%": a rate someone chose, shown as they would say it."""
    return f"{rate * 100:g}%"


def signed(number: int) -> str:
    return f"+{number}" if number >= 0 else str(number)


def _moment(value: datetime) -> str:
    local = timezone.localtime(value)
    return _("%(month)s/%(day)s %(time)s") % {
        "month": local.month,
        "day": local.day,
        "time": local.strftime("%H:%M"),
    }


def _day(value: datetime) -> str:
    local = timezone.localtime(value)
    return _("%(month)s/%(day)s") % {"month": local.month, "day": local.day}


def place_change(row: dict) -> str:
    """How the place moved in 24 hours: up 2, down 1, unchanged (new rows count as unchanged)."""
    before = row["change"]["previous_place"]
    if before is None or before == row["place"]:
        return _("place unchanged")
    if before > row["place"]:
        return _("up %(n)s") % {"n": before - row["place"]}
    return _("down %(n)s") % {"n": row["place"] - before}


# A chat shows about this many Chinese characters per line on a phone.
LINE_WIDTH = 30


def _short_lines(items: list[str], *, sep: str, end: str) -> list[str]:
    """Join items with `sep` into lines of at most LINE_WIDTH characters (an item is never split)."""
    lines: list[str] = []
    line = ""
    for item in items:
        candidate = f"{line}{sep}{item}" if line else item
        if line and len(candidate) + len(sep) > LINE_WIDTH:
            lines.append(line + sep)
            line = item
        else:
            line = candidate
    return [*lines, line + end]


def briefing_text(*, briefing: dict[str, Any]) -> str:
    """The briefing as short lines to paste into a work group chat, in the active language."""
    totals = briefing["totals"]
    scope = briefing["region"]["name"] if briefing["region"] else _("All regions")
    sep = _(", ")
    lines = [
        _("[Briefing] %(title)s") % {"title": briefing["competition"]["title"]},
        _(
            "As of %(moment)s, %(scope)s: %(participants)s people took part (target %(target)s), rate %(rate)s."
        )
        % {
            "moment": _moment(briefing["as_of"]),
            "scope": scope,
            "participants": totals["participants"],
            "target": totals["headcount_target"],
            "rate": percent(totals["participation_rate"]),
        },
        _("Since the previous day: %(people)s people, %(attempts)s attempts.")
        % {
            "people": signed(totals["change"]["participants"]),
            "attempts": signed(totals["change"]["attempts"]),
        },
        "",
        _("By unit (place, participants/target, rate, change):")
        if briefing["rows_are"] == "organizations"
        else _("By county (place, participants/target, rate, change):"),
    ]
    for row in briefing["rows"]:
        lines.append(
            _("%(place)s. %(name)s: %(participants)s/%(target)s, %(rate)s, %(change)s people, %(move)s")
            % {
                "place": row["place"],
                "name": row["name"],
                "participants": row["participants"],
                "target": row["headcount_target"],
                "rate": percent(row["participation_rate"]),
                "change": signed(row["change"]["participants"]),
                "move": place_change(row),
            }
        )
    lines.append("")
    threshold = threshold_percent(briefing["threshold"])
    if briefing["lagging"]:
        lines.append(_("Units below %(threshold)s:") % {"threshold": threshold})
        names = [
            _("%(name)s (%(rate)s)") % {"name": unit["name"], "rate": percent(unit["participation_rate"])}
            for unit in briefing["lagging"]
        ]
        lines.extend(_short_lines(names, sep=sep, end=_(".")))
    else:
        lines.append(_("No unit is below %(threshold)s.") % {"threshold": threshold})
    for row in briefing["supervision"]:
        dates = sep.join(_day(reminder["issued_at"]) for reminder in row["reminders"])
        lines.append(
            _(
                "Supervised: %(name)s, reminded %(dates)s, %(gained)s people since the first reminder, %(rate)s now."
            )
            % {
                "name": row["organization"]["name"],
                "dates": dates,
                "gained": signed(row["reminders"][0]["gained"]),
                "rate": percent(row["participation_rate"]),
            }
        )
    lines.append(_("Please keep mobilising your units."))
    return "\n".join(lines) + "\n"
