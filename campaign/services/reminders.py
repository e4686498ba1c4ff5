"""Issuing reminders to lagging units."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import user_can_see_region
from campaign.models import Notice, Reminder
from campaign.selectors.reminders import unit_participants
from core.exceptions import ApplicationError
from quiz.models import Competition


def reminder_issue(
    *,
    competition: Competition,
    issued_by: User,
    organization_ids: list[int],
    threshold: Decimal,
    message: str = "",
    expires_at: datetime | None = None,
) -> Reminder:
    """Remind the given units to reach `threshold` (a participation rate, 0 < t <= 1).

    Each unit gets a notice carrying its participants and target at this moment, so the history
    can show how it moved afterwards. The notice shows on its members' home pages until the unit
    reaches the threshold or `expires_at` (default: the competition's close) passes.
    All units must exist and lie in the issuer's scope, or nothing is written.
    """
    if not issued_by.may_see_statistics:
        raise ApplicationError(
            _("Only organizers and administrators may send reminders."),
            code="permission_denied",
        )
    now = timezone.now()
    if competition.status_at(now) != "open":
        raise ApplicationError(
            _("Reminders can only be sent while the competition is open."),
            code="not_open",
        )
    threshold = Decimal(threshold)
    if not (Decimal(0) < threshold <= Decimal(1)):
        raise ApplicationError(
            _("The target rate must be above 0% and at most 100%."),
            errors=[{"field": "threshold", "message": _("Must be above 0 and at most 1.")}],
        )
    expires_at = expires_at or competition.ends_at
    if expires_at <= now:
        raise ApplicationError(
            _("The reminder would already have expired."),
            errors=[{"field": "expires_at", "message": _("Must be in the future.")}],
        )
    wanted = list(dict.fromkeys(organization_ids))
    if not wanted:
        raise ApplicationError(
            _("Choose at least one unit to remind."),
            errors=[{"field": "organizations", "message": _("Choose at least one unit.")}],
        )
    units = {
        u.pk: u for u in Organization.objects.filter(pk__in=wanted, is_active=True).select_related("region")
    }
    errors = [
        {
            "field": "organizations",
            "message": _("Unit %(id)s does not exist or is outside your scope.") % {"id": pk},
        }
        for pk in wanted
        if pk not in units or not user_can_see_region(user=issued_by, region=units[pk].region)
    ]
    if errors:
        raise ApplicationError(_("Some units cannot be reminded."), code="invalid_units", errors=errors)

    participants = unit_participants(pairs={(competition.pk, pk) for pk in wanted})
    with transaction.atomic():
        reminder = Reminder.objects.create(
            competition=competition,
            issued_by=issued_by,
            threshold=threshold,
            message=message.strip(),
            expires_at=expires_at,
        )
        Notice.objects.bulk_create(
            [
                Notice(
                    reminder=reminder,
                    competition=competition,
                    organization=units[pk],
                    participants_at_issue=participants.get((competition.pk, pk), 0),
                    target_at_issue=units[pk].headcount_target,
                )
                for pk in wanted
            ]
        )
    return reminder
