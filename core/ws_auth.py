"""WebSocket authentication: the session cookie (the site's pages) or `?token=<key>` (API clients)."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from core.tokens import token_user


@database_sync_to_async
def _user_for_token(key: str):
    return token_user(key=key)


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from `?token=` when present and valid; otherwise leaves the session user."""

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        keys = query.get("token")
        if keys:
            user = await _user_for_token(keys[0])
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 (named like Channels' own stacks)
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
