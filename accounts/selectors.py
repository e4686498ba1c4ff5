"""Reads of accounts data, with the organizer scope rule in one place."""

import unicodedata

from django.db.models import QuerySet

from accounts.models import Industry, Organization, Region, User


def region_list(*, level: str | None = None, parent_id: int | None = None) -> QuerySet[Region]:
    """Every region in tree order, optionally one level or the children of one region."""
    qs = Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    return qs


def region_subtree(*, region: Region) -> QuerySet[Region]:
    """The region itself and every region below it."""
    return Region.objects.filter(path__startswith=region.path)


def regions_visible_to(*, user: User) -> QuerySet[Region]:
    """Admins see every region, organizers their scope's subtree, everybody else none."""
    if user.is_authenticated and user.is_admin_role:
        return Region.objects.all()
    if user.is_authenticated and user.is_organizer_role:
        return region_subtree(region=user.scope_region)
    return Region.objects.none()


def user_can_see_region(*, user: User, region: Region) -> bool:
    if user.is_authenticated and user.is_admin_role:
        return True
    if user.is_authenticated and user.is_organizer_role:
        return region.path.startswith(user.scope_region.path)
    return False


def county_of(*, region: Region) -> Region:
    """The county-level ancestor of a region (a township's county), or the region itself."""
    node = region
    while node.level == Region.Level.TOWNSHIP and node.parent_id:
        node = node.parent
    return node


def organization_list(
    *, region_id: int | None = None, include_subregions: bool = True
) -> QuerySet[Organization]:
    qs = Organization.objects.filter(is_active=True).select_related("region", "industry")
    if region_id:
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            return Organization.objects.none()
        if include_subregions:
            qs = qs.filter(region__path__startswith=region.path)
        else:
            qs = qs.filter(region=region)
    return qs


def username_taken(*, username: str) -> bool:
    """Whether an account has this username, NFKC-normalised and ignoring case (as registration does)."""
    return User.objects.filter(
        username__iexact=unicodedata.normalize("NFKC", (username or "").strip())
    ).exists()


def industry_list() -> QuerySet[Industry]:
    return Industry.objects.all()


def user_list(
    *, viewer: User, role: str | None = None, region_id: int | None = None, search: str | None = None
) -> QuerySet[User]:
    """Users the viewer may see (admin: all; organizer: members of its subtree), filtered."""
    qs = User.objects.select_related("region", "organization", "industry", "scope_region").order_by("id")
    if not viewer.is_admin_role:
        visible = regions_visible_to(user=viewer)
        qs = qs.filter(region__in=visible)
    if role:
        qs = qs.filter(role=role)
    if region_id:
        region = Region.objects.filter(pk=region_id).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if search:
        from django.db.models import Q

        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    return qs
