"""Lagging units, the notices a person sees on the home page, and the reminder history."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import Region, User
from campaign.models import Notice
from campaign.selectors.statistics import participation_rate, reaches, statistics_by_organization
from quiz.models import Attempt, Competition


def unit_participants(*, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Participants now per (competition id, unit id): one grouped query for any number of pairs."""
    if not pairs:
        return {}
    competition_ids = {c for c, _ in pairs}
    unit_ids = {u for _, u in pairs}
    rows = (
        Attempt.objects.filter(
            status=Attempt.Status.SUBMITTED,
            is_practice=False,
            competition_id__in=competition_ids,
            organization_id__in=unit_ids,
        )
        .order_by()
        .values("competition_id", "organization_id")
        .annotate(participants=Count("user", distinct=True))
    )
    return {(r["competition_id"], r["organization_id"]): r["participants"] for r in rows}


def _active_notice_filter(now) -> Q:
    return (
        Q(reminder__expires_at__gt=now)
        & Q(competition__ends_at__gt=now)
        & ~Q(competition__publication=Competition.Publication.CLOSED)
    )


def lagging_units(
    *,
    competition: Competition,
    scope: Region | None,
    threshold: Decimal | None = None,
    bottom: int | None = None,
) -> list[dict[str, Any]]:
    """Units below `threshold` (a rate, 0..1) or among the `bottom` N of their county by rate.

    Units without a headcount target cannot lag. Within a county, units are placed by rate from
    the lowest (`county_place`, 1 = lowest); a unit tied with the N-th lowest is in the bottom N
    too, since leaving out one of two equal units would be arbitrary. Each row says why it is
    listed and when the unit was last reminded in this competition, if a notice is still active.
    """
    units = [
        u for u in statistics_by_organization(competition=competition, scope=scope) if u["headcount_target"]
    ]
    by_county: dict[int, list[dict]] = {}
    for unit in units:
        by_county.setdefault(unit["county"]["id"], []).append(unit)
    for members in by_county.values():
        members.sort(key=lambda u: (u["participation_rate"], u["participants"], u["name"]))
        previous = None
        for position, unit in enumerate(members, start=1):
            if unit["participation_rate"] != previous:
                place = position
                previous = unit["participation_rate"]
            unit["county_place"] = place
            unit["county_units"] = len(members)

    now = timezone.now()
    reminded = {
        row["organization_id"]: row["last"]
        for row in Notice.objects.filter(_active_notice_filter(now), competition=competition)
        .values("organization_id")
        .annotate(last=Max("reminder__issued_at"))
    }
    lagging = []
    for unit in units:
        below = threshold is not None and not reaches(
            participants=unit["participants"], target=unit["headcount_target"], threshold=threshold
        )
        in_bottom = bottom is not None and unit["county_place"] <= bottom
        if below or in_bottom:
            lagging.append(
                {
                    **unit,
                    "below_threshold": below,
                    "in_bottom": in_bottom,
                    "reminded_at": reminded.get(unit["id"]),
                }
            )
    lagging.sort(key=lambda u: (u["county"]["code"], u["county_place"], u["name"]))
    return lagging


def notices_for_user(*, user: User) -> list[dict[str, Any]]:
    """The reminders a person should see now: addressed to their unit (or to a unit whose contact
    phone is theirs), not expired, competition still open, and the unit still below the target rate.

    The latest reminder per competition and unit wins. The unit's figures are live, so a notice
    disappears by itself once the unit catches up.
    """
    if not user or not user.is_authenticated:
        return []
    addressed = Q(pk__in=[])
    if user.organization_id:
        addressed |= Q(organization_id=user.organization_id)
    if user.phone:
        addressed |= Q(organization__contact_phone=user.phone)
    now = timezone.now()
    notices = (
        Notice.objects.filter(addressed, _active_notice_filter(now))
        .select_related("reminder", "organization", "competition")
        .order_by("-reminder__issued_at", "-id")
    )
    latest: dict[tuple[int, int], Notice] = {}
    for notice in notices:
        latest.setdefault((notice.competition_id, notice.organization_id), notice)
    participants = unit_participants(pairs=set(latest))
    shown = []
    for key, notice in latest.items():
        count = participants.get(key, 0)
        target = notice.organization.headcount_target
        if reaches(participants=count, target=target, threshold=notice.reminder.threshold):
            continue
        shown.append(
            {
                "id": notice.pk,
                "competition": {"id": notice.competition_id, "title": notice.competition.title},
                "organization": {"id": notice.organization_id, "name": notice.organization.name},
                "message": notice.reminder.message,
                "threshold": float(notice.reminder.threshold),
                "participants": count,
                "headcount_target": target,
                "participation_rate": participation_rate(count, target),
                "needed": _needed(count, target, notice.reminder.threshold),
                "issued_at": notice.reminder.issued_at,
                "expires_at": notice.reminder.expires_at,
            }
        )
    return shown


def _needed(participants: int, target: int, threshold: Decimal) -> int:
    """How many more participants reach the threshold."""
    goal = Decimal(threshold) * target
    whole = int(goal) + (0 if goal == int(goal) else 1)
    return max(whole - participants, 0)


def reminder_history(*, competition: Competition, scope: Region | None) -> list[dict[str, Any]]:
    """Every unit reminded in the competition (within the scope), newest first, with how it moved:
    participants when reminded against participants now."""
    notices = Notice.objects.filter(competition=competition).select_related(
        "reminder", "reminder__issued_by", "organization", "organization__region"
    )
    if scope is not None:
        notices = notices.filter(organization__region__path__startswith=scope.path)
    notices = list(notices.order_by("-reminder__issued_at", "-id"))
    now_counts = unit_participants(pairs={(n.competition_id, n.organization_id) for n in notices})
    now = timezone.now()
    history = []
    for notice in notices:
        reminder = notice.reminder
        target_now = notice.organization.headcount_target
        participants_now = now_counts.get((notice.competition_id, notice.organization_id), 0)
        caught_up = reaches(participants=participants_now, target=target_now, threshold=reminder.threshold)
        history.append(
            {
                "id": notice.pk,
                "reminder": reminder.pk,
                "organization": {
                    "id": notice.organization_id,
                    "name": notice.organization.name,
                    "region": notice.organization.region.name,
                },
                "issued_at": reminder.issued_at,
                "issued_by": {"id": reminder.issued_by_id, "name": str(reminder.issued_by)},
                "threshold": float(reminder.threshold),
                "expires_at": reminder.expires_at,
                "message": reminder.message,
                "participants_at_issue": notice.participants_at_issue,
                "rate_at_issue": participation_rate(notice.participants_at_issue, notice.target_at_issue),
                "participants_now": participants_now,
                "rate_now": participation_rate(participants_now, target_now),
                "gained": participants_now - notice.participants_at_issue,
                "caught_up": caught_up,
                "active": not caught_up
                and reminder.expires_at > now
                and competition.ends_at > now
                and competition.publication != Competition.Publication.CLOSED,
            }
        )
    return history


def supervision_list(*, competition: Competition, scope: Region | None) -> list[dict[str, Any]]:
    """Units reminded twice or more (督办) that are still below the rate of their latest reminder,
    with each reminder's date, the unit's participants then, and what it gained since.

    Ordered by county and unit name; a unit that caught up leaves the list by itself (figures are live).
    """
    notices = Notice.objects.filter(competition=competition).select_related(
        "reminder", "organization", "organization__region"
    )
    if scope is not None:
        notices = notices.filter(organization__region__path__startswith=scope.path)
    by_unit: dict[int, list[Notice]] = {}
    for notice in notices.order_by("reminder__issued_at", "id"):
        by_unit.setdefault(notice.organization_id, []).append(notice)
    repeated = {unit: items for unit, items in by_unit.items() if len(items) >= 2}
    now_counts = unit_participants(pairs={(competition.pk, unit) for unit in repeated})
    rows = []
    for unit_id, items in repeated.items():
        unit = items[-1].organization
        participants = now_counts.get((competition.pk, unit_id), 0)
        threshold = items[-1].reminder.threshold
        if reaches(participants=participants, target=unit.headcount_target, threshold=threshold):
            continue
        rows.append(
            {
                "organization": {"id": unit.pk, "name": unit.name, "region": unit.region.name},
                "region_path": unit.region.path,
                "participants": participants,
                "headcount_target": unit.headcount_target,
                "participation_rate": participation_rate(participants, unit.headcount_target),
                "threshold": float(threshold),
                "needed": _needed(participants, unit.headcount_target, threshold),
                "reminders": [
                    {
                        "reminder": notice.reminder_id,
                        "issued_at": notice.reminder.issued_at,
                        "participants_at_issue": notice.participants_at_issue,
                        "gained": participants - notice.participants_at_issue,
                    }
                    for notice in items
                ],
            }
        )
    rows.sort(key=lambda row: (row["region_path"], row["organization"]["name"]))
    for row in rows:
        del row["region_path"]
    return rows
