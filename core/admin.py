"""The admin site's own titles, its index order and its links to the organizer pages
(Django autodiscovers this module)."""

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Safety knowledge competition administration")
admin.site.site_title = _("Safety knowledge competition")
admin.site.index_title = _("Question banks, competitions and participation")
# The index names the organizer pages (dashboard, campaign) too: core/templates/admin/core_index.html.
admin.site.index_template = "admin/core_index.html"

# The index in the order admins use it: banks and competitions first, the campaign's records,
# then people and places; technical tables (groups, tokens, log-in lockouts) last. The leaderboard
# has no tables any more (its outbox is quiz's), its label stays harmless.
# Labels are strings: core sits below the apps it orders and imports none of them.
APP_ORDER = ["quiz", "campaign", "accounts", "auth", "authtoken", "axes", "leaderboard"]
MODEL_ORDER = {
    "quiz": ["QuestionBank", "Competition", "Question", "Attempt"],
    "campaign": ["Bulletin", "Reminder", "Notice", "CompetitionAnalysis"],
    "accounts": ["User", "Organization", "Region", "Industry"],
}


def _place(order: list[str], name: str) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def ordered_app_list(request, app_label=None) -> list[dict]:
    """AdminSite.get_app_list in APP_ORDER and MODEL_ORDER (unknown ones after, alphabetically)."""
    apps = AdminSite.get_app_list(admin.site, request, app_label)
    apps.sort(key=lambda app: _place(APP_ORDER, app["app_label"]))
    for app in apps:
        order = MODEL_ORDER.get(app["app_label"], [])
        app["models"].sort(key=lambda model: _place(order, model["object_name"]))
    return apps


admin.site.get_app_list = ordered_app_list
