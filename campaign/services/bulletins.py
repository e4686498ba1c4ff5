"""Issuing ranking bulletins."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region, User
from campaign.models import Bulletin
from campaign.selectors.rankings import campaign_rankings
from core.exceptions import ApplicationError
from quiz.models import Competition


def bulletin_issue(
    *,
    competition: Competition,
    issued_by: User,
    scope: Region | None,
    title: str = "",
    ranked_by: str = Bulletin.RankedBy.RATE,
    as_of: datetime | None = None,
) -> Bulletin:
    """Compute county and unit rankings of the scope as of `as_of` (default now) and store them.

    The rows are stored as computed; nothing recomputes them later, so answers arriving after
    issue (even ones submitted before `as_of` but recorded late) never change a bulletin.
    The caller has checked that `scope` is visible to `issued_by` (campaign_scope).
    """
    now = timezone.now()
    as_of = as_of or now
    if as_of > now:
        raise ApplicationError(
            _("A bulletin cannot be issued as of a moment in the future."),
            errors=[{"field": "as_of", "message": _("Must not be in the future.")}],
        )
    if ranked_by not in Bulletin.RankedBy.values:
        raise ApplicationError(
            _("Unknown ranking."), errors=[{"field": "ranked_by", "message": _("Unknown ranking.")}]
        )
    rows = campaign_rankings(competition=competition, scope=scope, ranked_by=ranked_by, as_of=as_of)
    # The default title names the region: a county's bulletin must not read as the prefecture's.
    title = title.strip() or _("%(competition)s · %(region)s: participation ranking as of %(moment)s") % {
        "competition": competition.title,
        "region": scope.name if scope is not None else _("all regions"),
        "moment": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M"),
    }
    return Bulletin.objects.create(
        competition=competition,
        title=title[:200],
        region=scope,
        ranked_by=ranked_by,
        as_of=as_of,
        issued_by=issued_by,
        rows=rows,
    )
