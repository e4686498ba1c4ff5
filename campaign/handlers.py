"""Signal receivers of the campaign app (connected in `CampaignConfig.ready`)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Organization
from campaign.services.invites import invites_ensure


@receiver(post_save, sender=Organization, dispatch_uid="campaign.unit_invite_on_create")
def unit_invite_on_create(sender, instance: Organization, created: bool, raw: bool = False, **kwargs) -> None:
    """A new unit gets its invite code at once, so that pages showing links only ever read.
    (`bulk_create` sends no signal: `unit_import` calls `invites_ensure` itself.)"""
    if created and not raw:
        invites_ensure(organizations=[instance])
