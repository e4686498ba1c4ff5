"""Writes of the campaign app: reminders, bulletins, unit import."""

from campaign.services.bulletins import bulletin_issue
from campaign.services.reminders import reminder_issue

__all__ = ["bulletin_issue", "reminder_issue"]
