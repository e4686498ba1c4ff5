"""Writes of the campaign app: reminders, bulletins, unit import."""

from campaign.services.bulletins import bulletin_issue
from campaign.services.reminders import reminder_issue
from campaign.services.units import unit_import, unit_import_template

__all__ = ["bulletin_issue", "reminder_issue", "unit_import", "unit_import_template"]
