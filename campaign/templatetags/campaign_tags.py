"""`{% user_notices %}`: the reminders addressed to the viewer's unit, for the home page."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext

from campaign.selectors import notices_for_user
from campaign.selectors.draws import prizes_for_user

register = template.Library()


def _competition_url(competition_id: int) -> str | None:
    try:
        return reverse("web:competition", args=[competition_id])
    except NoReverseMatch:
        return None


@register.inclusion_tag("campaign/_user_notices.html", takes_context=True)
def user_notices(context) -> dict:
    """Renders nothing for anonymous visitors or when no reminder applies."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    notices = notices_for_user(user=user) if user is not None else []
    for notice in notices:
        notice["url"] = _competition_url(notice["competition"]["id"])
        notice["goal"] = round(notice["threshold"] * 100, 1)
        rate = notice["participation_rate"] or 0
        notice["percent"] = round(rate * 100, 1)
    return {"notices": notices}


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.1534 -> "15.3%"; None (no target) -> "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def grouped(value) -> str:
    """13350 -> "13,350" (as the dashboard writes numbers); 75.5 stays "75.5"; None -> "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{value:,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def status_label(status: str) -> str:
    """A competition's status in the reader's language."""
    labels = {
        "draft": pgettext("competition status", "Draft"),
        "upcoming": pgettext("competition status", "Upcoming"),
        "open": pgettext("competition status", "Open"),
        "closed": pgettext("competition status", "Closed"),
    }
    return labels.get(status, status)


@register.inclusion_tag("campaign/_user_prizes.html", takes_context=True)
def user_prizes(context) -> dict:
    """The prizes the viewer won in draws (nothing for anonymous visitors or non-winners)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"prizes": prizes_for_user(user=user) if user is not None else []}
