"""Reads of issued bulletins."""

from django.db.models import Q, QuerySet

from accounts.models import User
from campaign.models import Bulletin
from campaign.selectors.statistics import localized_name
from quiz.models import Competition


def bulletins_visible_to(*, user: User) -> QuerySet[Bulletin]:
    """Admins see every bulletin; organizers those covering a region inside their scope."""
    qs = Bulletin.objects.select_related("competition", "region", "issued_by")
    if user.is_authenticated and user.is_admin_role:
        return qs
    if user.is_authenticated and user.is_organizer_role:
        return qs.filter(Q(region__path__startswith=user.scope_region.path))
    return qs.none()


def bulletin_list(*, user: User, competition: Competition | None = None) -> QuerySet[Bulletin]:
    """The bulletins the user may see, newest first, optionally of one competition."""
    qs = bulletins_visible_to(user=user)
    if competition is not None:
        qs = qs.filter(competition=competition)
    return qs.order_by("-issued_at", "-id")


def bulletin_rows_localized(*, bulletin: Bulletin) -> dict:
    """The stored rows with names in the reader's language (rows keep Chinese and English names)."""
    rows = bulletin.rows or {}
    counties = [{**row, "name": localized_name(row)} for row in rows.get("counties", [])]
    units = [
        {
            **row,
            "county": {**row["county"], "name": localized_name(row["county"])},
            "industry": {**row["industry"], "name": localized_name(row["industry"])},
        }
        for row in rows.get("units", [])
    ]
    return {"totals": rows.get("totals", {}), "counties": counties, "units": units}
