"""The organizer dashboard's socket: WS /ws/competitions/<id>/live/.

Thin: authenticate, check role and competition, join the competition's feed (leaderboard/live.py),
which sends `{"type": "stats", ...}` at once and then about once a second while figures change.
Refusals are accepted first and then closed, so the client sees a clear close code and an error
message in the shape of the API (`{"type": "error", "detail", "code"}`):
4401 not logged in, 4403 not an organizer or administrator, 4404 no such competition.
A frame that is not JSON text answers `{"type": "error", "code": "invalid_message", "detail"}` and
the socket stays open.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from core.exceptions import ApplicationError
from leaderboard import live
from leaderboard.selectors import LiveView, live_view_get

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

_CLOSE_CODES = {"not_found": CLOSE_NOT_FOUND, "permission_denied": CLOSE_FORBIDDEN}


def _language_of(scope) -> str:
    """`?lang=`, then the site's language cookie, then Accept-Language; Chinese by default."""
    supported = [code for code, _name in settings.LANGUAGES]
    candidates = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
    cookies = scope.get("cookies")
    if cookies is None:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                parsed = SimpleCookie()
                parsed.load(value.decode("latin-1"))
                cookies = {key: morsel.value for key, morsel in parsed.items()}
    if cookies and cookies.get(settings.LANGUAGE_COOKIE_NAME):
        candidates.append(cookies[settings.LANGUAGE_COOKIE_NAME])
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            candidates.extend(lang for lang, _q in parse_accept_lang_header(value.decode("latin-1")))
    for candidate in candidates:
        try:
            return translation.get_supported_language_variant(candidate.lower())
        except LookupError:
            continue
    return supported[0] if settings.LANGUAGE_CODE not in supported else settings.LANGUAGE_CODE


def _live_view(competition_id: int, user, language: str) -> LiveView:
    with translation.override(language):
        return live_view_get(competition_id=competition_id, user=user, language=language)


class CompetitionLiveConsumer(AsyncJsonWebsocketConsumer):
    # The feed is this process's own poller (leaderboard/live.py), not the channel layer. Without a
    # channel layer the socket does not die (1011) when Redis goes away: it says "paused" and stays.
    channel_layer_alias = None
    view: LiveView | None = None
    sent_signature: str | None = None
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        await self.accept()
        language = self.language = _language_of(self.scope)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(
                CLOSE_UNAUTHENTICATED, "not_authenticated", _("Log in to watch live statistics."), language
            )
            return
        if not user.may_see_statistics:
            await self._refuse(
                CLOSE_FORBIDDEN,
                "permission_denied",
                _("Only organizers and administrators see statistics."),
                language,
            )
            return
        competition_id = int(self.scope["url_route"]["kwargs"]["competition_id"])
        try:
            self.view = await database_sync_to_async(_live_view)(competition_id, user, language)
        except ApplicationError as exc:
            await self._refuse(_CLOSE_CODES.get(exc.code, CLOSE_FORBIDDEN), exc.code, exc.message, language)
            return
        await live.subscribe(self)

    async def send_text(self, text: str) -> None:
        """The feed's hot path (leaderboard/live.py): one ready-made text frame, straight to the server."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def _refuse(self, close_code: int, code: str, message, language: str) -> None:
        with translation.override(language):
            detail = str(message)
        await self.send_json({"type": "error", "code": code, "detail": detail})
        await self.close(code=close_code)

    async def disconnect(self, code: int) -> None:
        await live.unsubscribe(self)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Channels' JSON consumer lets a bad frame's exception close the socket with 1011.
        try:
            if text_data is None:
                raise ValueError("binary frame")
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):
            with translation.override(self.language):
                detail = str(_('Messages must be JSON text, such as {"type": "ping"}.'))
            await self.send_json({"type": "error", "code": "invalid_message", "detail": detail})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs) -> None:
        # Dashboards only listen; a ping lets a client check the socket is alive.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
