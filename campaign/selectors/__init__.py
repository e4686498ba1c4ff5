"""Reads of the campaign app: statistics, rankings, lagging units and notices, item analysis."""

from campaign.selectors.briefings import briefing_build, briefing_text
from campaign.selectors.bulletins import bulletin_list, bulletin_rows_localized, bulletins_visible_to
from campaign.selectors.invites import invite_codes, invite_lookup, invite_units, poster_competition
from campaign.selectors.items import item_analysis
from campaign.selectors.learning import learning_by_category
from campaign.selectors.rankings import campaign_rankings, rank_rows
from campaign.selectors.reminders import lagging_units, notices_for_user, reminder_history, supervision_list
from campaign.selectors.scope import campaign_scope
from campaign.selectors.statistics import STATISTICS_BY, competition_statistics

__all__ = [
    "STATISTICS_BY",
    "briefing_build",
    "briefing_text",
    "bulletin_list",
    "bulletin_rows_localized",
    "bulletins_visible_to",
    "campaign_rankings",
    "campaign_scope",
    "competition_statistics",
    "invite_codes",
    "invite_lookup",
    "invite_units",
    "item_analysis",
    "learning_by_category",
    "poster_competition",
    "lagging_units",
    "notices_for_user",
    "rank_rows",
    "reminder_history",
    "supervision_list",
]
