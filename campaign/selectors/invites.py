"""Reads behind invite links: what a code opens, and the units whose posters an organizer may print."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Organization, Region
from accounts.selectors import county_of
from campaign.models import UnitInvite
from quiz.models import Competition


@dataclass(frozen=True)
class InviteLookup:
    """`state`: "live" (opens the unit), "retired" (replaced by a newer code) or "unknown"."""

    state: str
    invite: UnitInvite | None = None
    organization: Organization | None = None
    county: Region | None = None


def invite_lookup(*, code: str) -> InviteLookup:
    """What `/r/{code}/` opens. A code of an inactive unit counts as retired: the unit takes no one."""
    invite = (
        UnitInvite.objects.select_related("organization", "organization__region", "organization__industry")
        .filter(code=code)
        .first()
    )
    if invite is None:
        return InviteLookup(state="unknown")
    if invite.retired_at is not None or not invite.organization.is_active:
        return InviteLookup(state="retired", invite=invite, organization=invite.organization)
    return InviteLookup(
        state="live",
        invite=invite,
        organization=invite.organization,
        county=county_of(region=invite.organization.region),
    )


def invite_units(*, scope: Region | None) -> QuerySet[Organization]:
    """Active units of the scope's subtree (everything for None), by county then name."""
    qs = Organization.objects.filter(is_active=True).select_related("region", "industry")
    if scope is not None:
        qs = qs.filter(region__path__startswith=scope.path)
    return qs.order_by("region__path", "name")


def invite_codes(*, organizations: list[Organization]) -> dict[int, str]:
    """{unit id: its live code} for the units given (one query); a unit without a live code is absent."""
    rows = UnitInvite.objects.filter(organization__in=organizations, retired_at__isnull=True).values_list(
        "organization_id", "code"
    )
    return dict(rows)


def poster_competition(*, competition_id: int | None = None) -> Competition | None:
    """The competition a poster advertises: the one named, else the latest published, non-practice one."""
    qs = Competition.objects.filter(is_practice=False)
    if competition_id:
        return qs.filter(pk=competition_id).first()
    published = qs.exclude(publication=Competition.Publication.DRAFT).order_by("-starts_at", "-id")
    return published.first()
