"""Which part of the region tree a caller may ask about: the organizer rule in one place."""

from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.selectors import user_can_see_region
from core.exceptions import ApplicationError, NotFound


def campaign_scope(*, user: User, region_id: int | None = None) -> Region | None:
    """The region whose subtree the caller looks at; None means everything (admins only).

    Organizers get their scope region unless they name a region inside it; naming a region
    outside it is a 403, never an empty answer that would confirm or deny what is there.
    """
    if not user.is_authenticated or not user.may_see_statistics:
        raise ApplicationError(
            _("Only organizers and administrators may see campaign statistics."),
            code="permission_denied",
        )
    if region_id:
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            raise NotFound(_("No such region."))
        if not user_can_see_region(user=user, region=region):
            raise ApplicationError(
                _("This region is outside your scope."),
                code="out_of_scope",
            )
        return region
    if user.is_admin_role:
        return None
    return user.scope_region


def scope_counties(*, scope: Region | None) -> list[Region]:
    """The county-level regions inside the scope (or the scope itself when it lies below county level)."""
    qs = Region.objects.filter(level=Region.Level.COUNTY)
    if scope is not None:
        qs = qs.filter(path__startswith=scope.path)
    counties = list(qs.order_by("sort_order", "code"))
    if not counties and scope is not None:
        counties = [scope]
    return counties


def county_for_path(*, counties: list[Region], path: str) -> Region | None:
    """The county among `counties` whose subtree holds `path` (a region's path)."""
    for county in counties:
        if path.startswith(county.path):
            return county
    return None
