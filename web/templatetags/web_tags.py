"""Small display helpers for the citizen site's templates."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as "2 min 05 s" (Chinese: "2分05秒"); an empty string when unknown."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    minutes, rest = divmod(seconds, 60)
    if minutes and not rest:
        return _("%(minutes)d min") % {"minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": rest}
    return _("%(seconds)d s") % {"seconds": rest}


@register.filter
def option_keys(keys: list[str] | None) -> str:
    """["A", "C"] as "A、C" in Chinese, "A, C" in English; a dash for no answer."""
    if not keys:
        return "—"
    return pgettext("list separator", ", ").join(keys)


@register.filter
def contains(values, value) -> bool:
    return bool(values) and value in values
