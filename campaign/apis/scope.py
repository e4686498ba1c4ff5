"""What every campaign read and write starts from: the competition and the caller's scope."""

from django.shortcuts import get_object_or_404

from accounts.models import Region
from campaign import selectors
from quiz.models import Competition


def competition_and_scope(
    *, request, competition_id: int, region_id: int | None
) -> tuple[Competition, Region | None]:
    """The competition (404 when unknown) and the region subtree the caller works on: `region_id`
    if their scope holds it (403 `out_of_scope` otherwise), else their own scope (None: everything,
    for admins). See `campaign.selectors.campaign_scope`."""
    competition = get_object_or_404(Competition, pk=competition_id)
    return competition, selectors.campaign_scope(user=request.user, region_id=region_id)
