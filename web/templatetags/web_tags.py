"""Small display helpers for the citizen site's templates."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as "2 min 05 s" (Chinese: "2分05秒"); an empty string when unknown.

    The spaces are non-breaking: a narrow phone column must not leave "s" alone on a line."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    minutes, rest = divmod(seconds, 60)
    if minutes and not rest:
        text = _("%(minutes)d min") % {"minutes": minutes}
    elif minutes:
        text = _("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": rest}
    else:
        text = _("%(seconds)d s") % {"seconds": rest}
    return text.replace(" ", "\u00a0")


@register.filter
def option_keys(keys: list[str] | None) -> str:
    """["A", "C"] as "A、C" in Chinese, "A, C" in English; a dash for no answer."""
    if not keys:
        return "—"
    return pgettext("list separator", ", ").join(keys)


@register.filter
def contains(values, value) -> bool:
    return bool(values) and value in values
