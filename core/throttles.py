"""Throttles backed by the default cache: Redis when REDIS_URL is set, so limits hold across processes."""

import logging

from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class _ByIpAndUserThrottle(SimpleRateThrottle):
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
    scope = "login"


class RegisterThrottle(_ByIpAndUserThrottle):
    scope = "register"


class AttemptStartThrottle(_ByIpAndUserThrottle):
    scope = "attempt_start"
