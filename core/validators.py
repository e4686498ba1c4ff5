"""Validators shared by the API's input serializers."""

from datetime import datetime

from django.utils.translation import gettext as _
from rest_framework import serializers

# Moments outside these years are typing mistakes, and before 1901 Asia/Shanghai has a local mean
# time offset (+08:05:43) that no RFC 3339 client can parse when the moment is echoed back.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def plausible_moment(value: datetime | None) -> None:
    """Refuse a date-time outside the years 2000 to 2100 (a 400 naming the field)."""
    if value is not None and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise serializers.ValidationError(
            _("Enter a date between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="out_of_range",
        )
