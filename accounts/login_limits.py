"""Wrong passwords are limited per account and per account + address (django-axes).

Never per address alone: a unit's people log in together from one office network or a carrier's
NAT, and one person's typos must not lock out the others. The address is core.net.client_ip
(AXES_CLIENT_IP_CALLABLE), so forged X-Forwarded-For headers do not reset the count.
Settings: AXES_FAILURE_LIMIT (account + address), LOGIN_ACCOUNT_FAILURE_LIMIT (account),
LOGIN_LOCKOUT_MINUTES (how long a lock lasts after the last failure).
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter set.

    Axes compares the largest failure count of its parameter sets (AXES_LOCKOUT_PARAMETERS:
    account + address first, then account) with one limit. The account's count is scaled so that
    it reaches that limit exactly when it reaches LOGIN_ACCOUNT_FAILURE_LIMIT:
    floor(n * limit / account_limit) >= limit  <=>  n >= account_limit.
    """

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        by_account_and_address, by_account = counts  # the order of AXES_LOCKOUT_PARAMETERS
        limit = get_failure_limit(request, credentials)
        return max(by_account_and_address, by_account * limit // settings.LOGIN_ACCOUNT_FAILURE_LIMIT)


def login_locked_out(*, request: Any) -> bool:
    """Whether the last `authenticate(request, ...)` on this request was refused or ended in a lock."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_retry_after_seconds() -> int:
    """Seconds until a lock ends at the latest (the cool-off runs from the last counted failure)."""
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def lockout_message() -> str:
    return _("Too many failed log-ins for this account. Please try again in %(minutes)d minutes.") % {
        "minutes": settings.LOGIN_LOCKOUT_MINUTES
    }
