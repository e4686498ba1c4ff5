"""Unit invite links: the code behind `/r/{code}/`, its rotation, and joining a unit through it."""

import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.services import user_join_unit
from campaign.models import UnitInvite
from core.exceptions import ApplicationError

# 6 random bytes = 8 URL-safe characters (48 bits): short on a poster, not guessable from ids.
CODE_BYTES = 6


def _new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def invites_ensure(*, organizations: Iterable[Organization] | None = None) -> int:
    """Give every unit (or each of `organizations`) without a live code a new one; how many lacked one.

    Units get their code when they are made (`campaign.handlers` on save, `unit_import` after its
    bulk insert, a data migration for the units before that), so pages that show links only read.
    A unit that gained a code meanwhile is skipped (the partial unique constraint; no error).
    """
    ids = None if organizations is None else [unit.pk for unit in organizations]
    # A unit without a pk (a bulk insert that could not return them): sweep every unit instead.
    units = (
        Organization.objects.all() if ids is None or None in ids else Organization.objects.filter(pk__in=ids)
    )
    live = UnitInvite.objects.filter(organization=OuterRef("pk"), retired_at__isnull=True)
    missing = list(units.filter(~Exists(live)).values_list("pk", flat=True))
    UnitInvite.objects.bulk_create(
        [UnitInvite(organization_id=pk, code=_new_code()) for pk in missing], ignore_conflicts=True
    )
    return len(missing)


def invite_for_unit(*, organization: Organization, created_by: User | None = None) -> UnitInvite:
    """The unit's live invite; one is made here only for a unit that has none (made by a bulk insert
    outside `unit_import`, or its code lost), so `GET .../invite/` always answers with a code."""
    live = UnitInvite.objects.filter(organization=organization, retired_at__isnull=True).first()
    if live is not None:
        return live
    try:
        with transaction.atomic():
            return UnitInvite.objects.create(
                organization=organization, code=_new_code(), created_by=created_by
            )
    except IntegrityError:
        # Another request made the unit's code meanwhile (or, once in 2^48, the code collided).
        live = UnitInvite.objects.filter(organization=organization, retired_at__isnull=True).first()
        if live is not None:
            return live
        return UnitInvite.objects.create(organization=organization, code=_new_code(), created_by=created_by)


def invite_rotate(*, organization: Organization, rotated_by: User) -> UnitInvite:
    """Retire the unit's live code and make a new one; the old link then says it was replaced."""
    if not rotated_by.is_admin_role:
        raise ApplicationError(
            _("Only administrators may replace an invite link."),
            code="permission_denied",
        )
    with transaction.atomic():
        # The unit's row lock serialises two rotations, so exactly one code stays live.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        UnitInvite.objects.filter(organization=organization, retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        return UnitInvite.objects.create(organization=organization, code=_new_code(), created_by=rotated_by)


def invite_join(*, user: User, invite: UnitInvite) -> User:
    """A logged-in person accepted the link's unit after being asked: move them to it."""
    if invite.retired_at is not None or not invite.organization.is_active:
        raise ApplicationError(
            _("This invite link has been replaced. Ask your unit for the new one."),
            code="invite_retired",
        )
    return user_join_unit(user=user, organization_id=invite.organization_id)
