"""Throttles backed by the default cache: Redis when REDIS_URL is set, so limits hold across processes.

Anonymous requests are counted per client address (core.net.client_ip: forged X-Forwarded-For
headers do not give a client a fresh identity), logged-in ones per user. The rates are read from
settings.REST_FRAMEWORK at every request, so they follow the environment and `override_settings`.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.net import client_ip

logger = logging.getLogger(__name__)


class _ByIpAndUserThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_ident(self, request) -> str:
        return client_ip(request)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        """Fail open when the cache (Redis) does not answer: a Redis outage must not turn every
        log-in, registration and attempt start into a 500 (the database stays the truth, and the
        daily quota is enforced there, under a row lock)."""
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - the cache client's errors (redis is imported in one module only)
            logger.warning("Throttle %s not applied: the cache is unavailable (%s)", self.scope, exc)
            return True


class LoginThrottle(_ByIpAndUserThrottle):
    """The per-address ceiling on log-ins (API token and the site's form), successes included.

    High enough for a hall of people behind one address; wrong passwords are limited per
    account by django-axes (accounts.login_limits)."""

    scope = "login"


class RegisterThrottle(_ByIpAndUserThrottle):
    scope = "register"


class AttemptStartThrottle(_ByIpAndUserThrottle):
    scope = "attempt_start"
