"""WebSocket authentication: the session cookie (the site's pages) or `?token=<key>` (API clients).

The origin check (ALLOWED_HOSTS) protects cookie-authenticated sockets from other sites' pages
(cross-site WebSocket hijacking). Browsers always send `Origin` on a WebSocket handshake, so a
handshake without one comes from a script, which holds no victim's cookie: a `?token=` socket
without `Origin` is let through, authenticated by the token alone (its cookies are dropped).
"""

from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware
from django.conf import settings

from core.tokens import token_user


@database_sync_to_async
def _user_for_token(key: str):
    return token_user(key=key)


def _token_key(scope) -> str | None:
    keys = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return keys[0] if keys else None


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from `?token=` when present and valid; otherwise leaves the session user."""

    async def __call__(self, scope, receive, send):
        key = _token_key(scope)
        if key:
            user = await _user_for_token(key)
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


class SocketSessionMiddleware(SessionMiddleware):
    """Channels' SessionMiddleware (the session from the cookie in the scope) without its wrapper
    around `send`. The wrapper saves a modified session on `http.response.start`, which a WebSocket
    never sends, yet it inspected the session on every frame: a fifth of the CPU of sending one
    dashboard update to one socket (leaderboard/live.py)."""

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 (named like Channels' own stacks)
    # Channels' AuthMiddlewareStack, with the session middleware above.
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(TokenAuthMiddleware(inner))))


class AllowedHostsOrigin(OriginValidator):
    """Channels' AllowedHostsOriginValidator, reading ALLOWED_HOSTS at each handshake rather than
    once at import (so a test's settings override reaches the real ASGI application)."""

    def __init__(self, application) -> None:
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:
        hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not hosts:
            hosts = ["localhost", "127.0.0.1", "[::1]"]
        return hosts


class OriginCheckUnlessTokenScript:
    """ALLOWED_HOSTS origin check, except for a `?token=` handshake without an `Origin` header."""

    def __init__(self, application) -> None:
        self.application = application
        self.checked = AllowedHostsOrigin(application)

    async def __call__(self, scope, receive, send):
        headers = scope.get("headers", [])
        if _token_key(scope) and not any(name == b"origin" for name, _value in headers):
            scope = dict(scope, headers=[(name, value) for name, value in headers if name != b"cookie"])
            return await self.application(scope, receive, send)
        return await self.checked(scope, receive, send)
