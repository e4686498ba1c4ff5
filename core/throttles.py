"""Throttles backed by the default cache: Redis when REDIS_URL is set, so limits hold across processes."""

from rest_framework.throttling import SimpleRateThrottle


class _ByIpAndUserThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(_ByIpAndUserThrottle):
    scope = "login"


class RegisterThrottle(_ByIpAndUserThrottle):
    scope = "register"


class AttemptStartThrottle(_ByIpAndUserThrottle):
    scope = "attempt_start"
