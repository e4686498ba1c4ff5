"""The coalesced broadcast to dashboards: one poller per competition per server process.

Design (correct across processes, cheap at any submission rate):
- Every recorded submission bumps the competition's version counter in the store, inside the
  same Lua call that updates the figures (Redis: `INCR ver`; the embedded store: the count of
  counted attempts).
- In each server process, the first dashboard socket of a competition starts one asyncio task,
  the feed. Every LIVE_BROADCAST_INTERVAL_SECONDS it reads the version (one GET); when it changed,
  it reads the figures (one Lua call) and hands them to every socket of that competition in this
  process, each scoped and rendered once per distinct viewer scope and language.
- The last socket leaving stops the feed.

So a competition's dashboards receive at most one message per interval, always carrying the latest
figures (a burst's last change is read on the tick after it), whichever process took the
submission; Redis sees one GET per second per process and competition watched, independent of the
submission rate and of the number of dashboards; no channel-layer group messages are needed.

When the store stops answering, the feed tells its sockets `{"type": "status", "live": false}`
once; when it answers again, it says `{"type": "status", "live": true}` and sends fresh figures
(read from the database until the services have caught up: leaderboard/worker.py). The feed only
reads; it never rebuilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from leaderboard.catalog import RegionCatalog, region_catalog
from leaderboard.selectors import LiveView, live_numbers_get, stats_body
from leaderboard.store import LiveNumbers, StoreUnavailable, get_store

logger = logging.getLogger(__name__)


class Subscriber(Protocol):
    view: LiveView
    sent_signature: str | None

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None: ...


@dataclass
class _Feed:
    competition_id: int
    subscribers: set[Any] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task | None = None
    version: int | None = None
    live: bool = True


# Keyed by (event loop, competition): a process has one loop under daphne; tests make one per test.
_feeds: dict[tuple[int, int], _Feed] = {}


def _read_figures(competition_id: int) -> tuple[LiveNumbers, RegionCatalog]:
    return live_numbers_get(competition_id=competition_id), region_catalog()


def _read_version(competition_id: int) -> int | None:
    """The store's version of the competition; None while Redis does not hold it (reads then use
    the database, and the services build it: the poller only reads)."""
    return get_store().version(competition_id)


def status_message(*, live: bool, language: str) -> str:
    with translation.override(language):
        if live:
            body = {"type": "status", "live": True, "code": "live", "detail": _("Live")}
        else:
            body = {
                "type": "status",
                "live": False,
                "code": "live_paused",
                "detail": _("Live updates paused: the live store is not answering. Figures will catch up."),
            }
    return json.dumps(body, ensure_ascii=False)


class _Renderer:
    """Renders the figures once per distinct (scope, language) among a feed's sockets."""

    def __init__(self, numbers: LiveNumbers, catalog: RegionCatalog) -> None:
        self.numbers = numbers
        self.catalog = catalog
        self.cache: dict[tuple[str, str], tuple[str, str]] = {}

    def text_for(self, view: LiveView) -> tuple[str, str]:
        """(message text, signature): the signature leaves out what changes with every submission
        anywhere (version, updated_at), so a viewer is not sent figures of its scope that did not move."""
        key = (view.scope.key, view.language)
        rendered = self.cache.get(key)
        if rendered is None:
            with translation.override(view.language):
                body = stats_body(numbers=self.numbers, scope=view.scope, catalog=self.catalog)
            text = json.dumps({"type": "stats", **body}, ensure_ascii=False)
            figures = {k: v for k, v in body.items() if k not in ("version", "updated_at")}
            rendered = self.cache[key] = (text, json.dumps(figures, sort_keys=True))
        return rendered


async def _deliver(feed: _Feed, renderer: _Renderer, subscribers: list[Any]) -> None:
    for subscriber in subscribers:
        text, signature = renderer.text_for(subscriber.view)
        if subscriber.sent_signature == signature:
            continue
        try:
            await subscriber.send(text_data=text)
            subscriber.sent_signature = signature
        except Exception:  # noqa: BLE001 - one broken socket must not stop the others
            logger.exception("Sending live figures to a dashboard failed")


async def _broadcast_status(feed: _Feed, *, live: bool) -> None:
    for subscriber in list(feed.subscribers):
        with contextlib.suppress(Exception):
            await subscriber.send(text_data=status_message(live=live, language=subscriber.view.language))
            if not live:
                subscriber.sent_signature = None  # resend the figures when live again


async def subscribe(subscriber: Any) -> None:
    """Add a socket to its competition's feed and send it the current figures (or the paused status)."""
    cid = subscriber.view.competition_id
    key = (id(asyncio.get_running_loop()), cid)
    feed = _feeds.get(key)
    if feed is None:
        feed = _feeds[key] = _Feed(competition_id=cid)
    async with feed.lock:
        feed.subscribers.add(subscriber)
        try:
            numbers, catalog = await database_sync_to_async(_read_figures)(cid)
        except StoreUnavailable:
            await subscriber.send(text_data=status_message(live=False, language=subscriber.view.language))
        else:
            await _deliver(feed, _Renderer(numbers, catalog), [subscriber])
    if feed.task is None or feed.task.done():
        feed.task = asyncio.create_task(_run(feed, key))


async def unsubscribe(subscriber: Any) -> None:
    view = getattr(subscriber, "view", None)
    if view is None:
        return
    key = (id(asyncio.get_running_loop()), view.competition_id)
    feed = _feeds.get(key)
    if feed is None:
        return
    feed.subscribers.discard(subscriber)
    if not feed.subscribers:
        _feeds.pop(key, None)
        if feed.task is not None:
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feed.task


async def _run(feed: _Feed, key: tuple[int, int]) -> None:
    loop = asyncio.get_running_loop()
    interval = max(0.05, float(settings.LIVE_BROADCAST_INTERVAL_SECONDS))
    next_tick = loop.time() + interval
    while feed.subscribers:
        await asyncio.sleep(max(0.0, next_tick - loop.time()))
        next_tick = max(next_tick + interval, loop.time() + interval / 2)
        try:
            await _tick(feed)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the feed alive through any single bad tick
            logger.exception("Live feed of competition %s failed a tick", feed.competition_id)


async def _tick(feed: _Feed) -> None:
    cid = feed.competition_id
    try:
        version = await database_sync_to_async(_read_version)(cid)
    except StoreUnavailable:
        if feed.live:
            feed.live = False
            logger.warning("Live store unavailable: dashboards of competition %s paused", cid)
            await _broadcast_status(feed, live=False)
        return
    recovered = not feed.live
    if version == feed.version and not recovered:
        return
    numbers, catalog = await database_sync_to_async(_read_figures)(cid)
    async with feed.lock:
        if recovered:
            feed.live = True
            await _broadcast_status(feed, live=True)
        feed.version = numbers.version
        await _deliver(feed, _Renderer(numbers, catalog), list(feed.subscribers))
