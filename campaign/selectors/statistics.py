"""Participation statistics straight from the database: by county, unit, industry and day.

Definitions (also in docs/campaign.md):
- only submitted, non-practice attempts count;
- `participants`: distinct people with at least one such attempt;
- `attempts`: such attempts; `points`: the sum of their scores;
- `average_score`: mean score per attempt; `best_score`: the highest score;
- `headcount_target`: a unit's target; a county's or industry's is the sum of its active units';
- `participation_rate`: participants / headcount_target (null when the target is 0).
Attempts are grouped by what they recorded when they started (region, unit, industry snapshots).
Every figure is one aggregate query per grouping; nothing loops over attempts in Python.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Industry, Organization, Region
from campaign.selectors.scope import county_for_path, scope_counties
from core.i18n import localized
from quiz.models import Attempt, Competition


def submitted_attempts(
    *, competition: Competition, region: Region | None = None, as_of: datetime | None = None
) -> QuerySet[Attempt]:
    """The attempts that count: submitted, not practice, in the region's subtree, submitted by `as_of`."""
    qs = Attempt.objects.filter(
        competition=competition, status=Attempt.Status.SUBMITTED, is_practice=False
    ).order_by()
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if as_of is not None:
        qs = qs.filter(submitted_at__lte=as_of)
    return qs


def active_units(*, region: Region | None = None) -> QuerySet[Organization]:
    """Active units in the region's subtree: the ones counted against targets."""
    qs = Organization.objects.filter(is_active=True)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs


def _metric_aggregates() -> dict[str, Any]:
    return {
        "participants": Count("user", distinct=True),
        "attempts": Count("id"),
        "points": Coalesce(Sum("score"), 0),
        "average_score": Avg("score"),
        "best_score": Coalesce(Max("score"), 0),
    }


def participation_rate(participants: int, target: int) -> float | None:
    """participants / target rounded to 4 places; None without a target."""
    if not target:
        return None
    return round(participants / target, 4)


def reaches(*, participants: int, target: int, threshold: Decimal) -> bool:
    """Whether participants / target >= threshold, in exact arithmetic (a unit without target never lags)."""
    if not target:
        return True
    return Decimal(participants) >= Decimal(threshold) * target


def _figures(aggregated: dict | None, target: int) -> dict[str, Any]:
    row = aggregated or {}
    participants = row.get("participants") or 0
    average = row.get("average_score")
    return {
        "participants": participants,
        "attempts": row.get("attempts") or 0,
        "points": row.get("points") or 0,
        "average_score": round(float(average), 2) if average is not None else None,
        "best_score": row.get("best_score") or 0,
        "headcount_target": target,
        "participation_rate": participation_rate(participants, target),
    }


def _county_case(counties: list[Region], field: str) -> Case:
    """Maps a row to the id of the county whose subtree holds `field`'s region path."""
    return Case(
        *[When(**{f"{field}__startswith": c.path}, then=Value(c.pk)) for c in counties],
        default=None,
        output_field=IntegerField(),
    )


def region_ref(region: Region | None) -> dict | None:
    if region is None:
        return None
    return {"id": region.pk, "code": region.code, "name": region.name}


def statistics_totals(
    *, competition: Competition, scope: Region | None, as_of: datetime | None = None
) -> dict[str, Any]:
    """The whole scope's figures, and how many active units it holds."""
    aggregated = submitted_attempts(competition=competition, region=scope, as_of=as_of).aggregate(
        **_metric_aggregates()
    )
    units = active_units(region=scope).aggregate(
        target=Coalesce(Sum("headcount_target"), 0), units=Count("id")
    )
    return {**_figures(aggregated, units["target"]), "units": units["units"]}


def statistics_by_county(
    *, competition: Competition, scope: Region | None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per county in the scope (zeros included), in the counties' own order."""
    counties = scope_counties(scope=scope)
    if not counties:
        return []
    by_county = {
        row["county"]: row
        for row in submitted_attempts(competition=competition, region=scope, as_of=as_of)
        .annotate(county=_county_case(counties, "region__path"))
        .values("county")
        .annotate(**_metric_aggregates())
    }
    targets = {
        row["county"]: row
        for row in active_units(region=scope)
        .annotate(county=_county_case(counties, "region__path"))
        .values("county")
        .annotate(target=Coalesce(Sum("headcount_target"), 0), units=Count("id"))
    }
    rows = []
    for county in counties:
        target_row = targets.get(county.pk, {})
        rows.append(
            {
                **region_ref(county),
                "name_zh": county.name_zh,
                "name_en": county.name_en,
                **_figures(by_county.get(county.pk), target_row.get("target", 0)),
                "units": target_row.get("units", 0),
            }
        )
    return rows


def statistics_by_organization(
    *, competition: Competition, scope: Region | None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per active unit in the scope (units nobody answered for included), by county then name."""
    units = list(
        active_units(region=scope).select_related("region", "industry").order_by("region__path", "name")
    )
    if not units:
        return []
    by_unit = {
        row["organization_id"]: row
        for row in submitted_attempts(competition=competition, as_of=as_of)
        .filter(organization__in=active_units(region=scope))
        .values("organization_id")
        .annotate(**_metric_aggregates())
    }
    counties = scope_counties(scope=None)
    rows = []
    for unit in units:
        county = county_for_path(counties=counties, path=unit.region.path) or unit.region
        rows.append(
            {
                "id": unit.pk,
                "name": unit.name,
                "county": {**region_ref(county), "name_zh": county.name_zh, "name_en": county.name_en},
                "region": region_ref(unit.region),
                "industry": {
                    "code": unit.industry.code,
                    "name": unit.industry.name,
                    "name_zh": unit.industry.name_zh,
                    "name_en": unit.industry.name_en,
                },
                "contact_name": unit.contact_name,
                **_figures(by_unit.get(unit.pk), unit.headcount_target),
            }
        )
    return rows


def statistics_by_industry(
    *, competition: Competition, scope: Region | None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per industry that has a target or an attempt in the scope (by the attempt's industry)."""
    by_industry = {
        row["industry_id"]: row
        for row in submitted_attempts(competition=competition, region=scope, as_of=as_of)
        .values("industry_id")
        .annotate(**_metric_aggregates())
    }
    targets = {
        row["industry_id"]: row["target"]
        for row in active_units(region=scope)
        .values("industry_id")
        .annotate(target=Coalesce(Sum("headcount_target"), 0))
    }
    rows = []
    for industry in Industry.objects.all():
        if industry.pk not in by_industry and not targets.get(industry.pk):
            continue
        rows.append(
            {
                "code": industry.code,
                "name": industry.name,
                **_figures(by_industry.get(industry.pk), targets.get(industry.pk, 0)),
            }
        )
    if None in by_industry:
        rows.append({"code": None, "name": _("Not stated"), **_figures(by_industry[None], 0)})
    return rows


def _campaign_days(*, competition: Competition, until: datetime, data_days: set[date]) -> list[date]:
    """Every calendar day (Asia/Shanghai) of the campaign so far, plus any day that has data."""
    first = timezone.localdate(competition.starts_at)
    last = timezone.localdate(min(competition.ends_at, until))
    days = set(data_days)
    day = first
    while day <= last:
        days.add(day)
        day += timedelta(days=1)
    return sorted(days)


def _first_days(attempts: QuerySet[Attempt]) -> dict[date, int]:
    """How many people made their first counted attempt on each day.

    One query: the people's first days (GROUP BY user) counted per day in an outer GROUP BY.
    Django cannot aggregate over an aggregate, so the outer query wraps the ORM's own SQL; a
    correlated "no earlier attempt" subquery would cost one index probe per attempt instead.
    """
    inner = attempts.values("user").annotate(first_day=Min("day")).values("first_day").order_by()
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT firsts.first_day, COUNT(*) FROM ({sql}) AS firsts GROUP BY firsts.first_day",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
    return {
        value if isinstance(value, date) else date.fromisoformat(str(value)): count for value, count in rows
    }


def statistics_by_day(
    *, competition: Competition, scope: Region | None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """The campaign's trend: per day, who took part, who was new, and the running totals.

    `new_participants` are people whose first counted attempt started that day, so the running
    sum `cumulative_participants` ends at the scope's participants; `cumulative_rate` divides
    it by the scope's target.
    """
    base = submitted_attempts(competition=competition, region=scope, as_of=as_of)
    per_day = {row["day"]: row for row in base.values("day").annotate(**_metric_aggregates())}
    new_per_day = _first_days(base)
    target = active_units(region=scope).aggregate(t=Coalesce(Sum("headcount_target"), 0))["t"]
    rows = []
    cumulative = 0
    for day in _campaign_days(competition=competition, until=as_of or timezone.now(), data_days=set(per_day)):
        row = per_day.get(day)
        new = new_per_day.get(day, 0)
        cumulative += new
        figures = _figures(row, 0)
        del figures["headcount_target"], figures["participation_rate"]
        rows.append(
            {
                "day": day.isoformat(),
                **figures,
                "new_participants": new,
                "cumulative_participants": cumulative,
                "cumulative_rate": participation_rate(cumulative, target),
            }
        )
    return rows


STATISTICS_BY = {
    "county": statistics_by_county,
    "organization": statistics_by_organization,
    "industry": statistics_by_industry,
    "day": statistics_by_day,
}


def competition_statistics(
    *, competition: Competition, scope: Region | None, by: str, as_of: datetime | None = None
) -> dict[str, Any]:
    """The body of GET /competitions/{id}/statistics/: totals of the scope and rows grouped `by`."""
    return {
        "competition": {"id": competition.pk, "title": competition.title},
        "region": region_ref(scope),
        "by": by,
        "as_of": as_of,
        "totals": statistics_totals(competition=competition, scope=scope, as_of=as_of),
        "rows": STATISTICS_BY[by](competition=competition, scope=scope, as_of=as_of),
    }


def localized_name(row: dict) -> str:
    """A stored row's name in the active language (rows keep both names)."""
    return localized(row.get("name_zh") or row.get("name", ""), row.get("name_en", ""))
