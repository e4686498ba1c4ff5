"""The coalesced broadcast to dashboards: one feed per competition per server process.

Design (correct across processes, cheap at any submission rate, prompt):
- Every recorded submission bumps the competition's version counter in the store, inside the
  same Lua call that updates the figures (Redis: `INCR ver`; the embedded store: the count of
  counted attempts).
- In each server process, the first dashboard socket of a competition starts one asyncio task,
  the feed. It reads the version (one GET) every LIVE_POLL_SECONDS (0.1 s), but not before its
  previous broadcast is LIVE_BROADCAST_INTERVAL_SECONDS (1 s) old; when the version changed it
  broadcasts at once, reading the figures then (one Lua call), so a broadcast carries everything
  recorded until that moment.
- The sockets are grouped by view (scope and language): each group's message is rendered and
  JSON-encoded once per broadcast and the same text goes to every socket of the group.
- The last socket leaving stops the feed.

So a dashboard receives at most one update per interval, always carrying the latest figures (a
burst's last change goes out at most one interval after the previous message), whichever process
took the submission. A submission after a quiet second reaches dashboards within one poll (plus
the round itself) instead of waiting for a fixed tick; under a steady stream the wait for the next
broadcast is up to one interval (the price of the rate bound). Redis sees at most one GET per poll
per process and competition watched (one per broadcast under a steady stream), independent of the
submission rate and of the number of dashboards; no channel-layer group messages are needed.

When the store stops answering, the feed tells its sockets `{"type": "status", "live": false}`
once and then polls once per interval; when it answers again, it says `{"type": "status",
"live": true}` and sends fresh figures (read from the database until the services have caught
up: leaderboard/worker.py). The feed only reads; it never rebuilds.
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

    async def send_text(self, text: str) -> None:
        """Send one text frame (the consumer hands it straight to the server)."""


ViewKey = tuple[str, str]


def _view_key(view: LiveView) -> ViewKey:
    return (view.scope.key, view.language)


class _Clock:
    """The feed's time: the event loop's monotonic clock. Tests put a fake one in `clock`."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


clock = _Clock()


@dataclass
class _Feed:
    competition_id: int
    # The sockets by view (scope, language): one rendering and one JSON text per group per round.
    groups: dict[ViewKey, set[Any]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task | None = None
    version: int | None = None
    live: bool = True
    # Clock time the last broadcast round started; the next one starts an interval later at the earliest.
    last_round: float = float("-inf")

    @property
    def subscribers(self) -> list[Any]:
        return [subscriber for group in self.groups.values() for subscriber in group]

    @property
    def watched(self) -> bool:
        return any(self.groups.values())


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


def render(numbers: LiveNumbers, catalog: RegionCatalog, view: LiveView) -> tuple[str, str]:
    """(message text, signature) of the figures for one view. The signature leaves out what changes
    with every submission anywhere (version, updated_at), so a viewer is not sent figures of its
    scope that did not move."""
    with translation.override(view.language):
        body = stats_body(numbers=numbers, scope=view.scope, catalog=catalog)
    text = json.dumps({"type": "stats", **body}, ensure_ascii=False)
    figures = {k: v for k, v in body.items() if k not in ("version", "updated_at")}
    return text, json.dumps(figures, sort_keys=True)


async def _send_all(subscribers: Any, text: str, signature: str) -> int:
    """Send the one text of a view to every socket of it that does not show these figures yet."""
    sent = 0
    for subscriber in subscribers:
        if subscriber.sent_signature == signature:
            continue
        try:
            await subscriber.send_text(text)
        except Exception:  # noqa: BLE001 - one broken socket must not stop the others
            logger.exception("Sending live figures to a dashboard failed")
            continue
        subscriber.sent_signature = signature
        sent += 1
    return sent


async def _deliver(feed: _Feed, numbers: LiveNumbers, catalog: RegionCatalog) -> int:
    """One broadcast round: each view rendered and encoded once, its text sent to its sockets."""
    sent = 0
    for group in list(feed.groups.values()):
        members = list(group)
        if members:
            text, signature = render(numbers, catalog, members[0].view)
            sent += await _send_all(members, text, signature)
    return sent


async def _broadcast_status(feed: _Feed, *, live: bool) -> None:
    texts: dict[str, str] = {}
    for subscriber in feed.subscribers:
        language = subscriber.view.language
        if language not in texts:
            texts[language] = status_message(live=live, language=language)
        with contextlib.suppress(Exception):
            await subscriber.send_text(texts[language])
            if not live:
                subscriber.sent_signature = None  # resend the figures when live again


async def subscribe(subscriber: Any) -> None:
    """Add a socket to its competition's feed and send it the current figures (or the paused status)."""
    cid = subscriber.view.competition_id
    key = (id(asyncio.get_running_loop()), cid)
    feed = _feeds.get(key)
    first = feed is None
    if feed is None:
        feed = _feeds[key] = _Feed(competition_id=cid)
    async with feed.lock:
        feed.groups.setdefault(_view_key(subscriber.view), set()).add(subscriber)
        try:
            numbers, catalog = await database_sync_to_async(_read_figures)(cid)
        except StoreUnavailable:
            await subscriber.send_text(status_message(live=False, language=subscriber.view.language))
        else:
            await _send_all([subscriber], *render(numbers, catalog, subscriber.view))
            if first:
                # Its only socket has these figures: the first poll is not a change (a round then
                # would send nothing and hold the next one back for an interval).
                feed.version = numbers.version
    if feed.task is None or feed.task.done():
        feed.task = asyncio.create_task(_run(feed))


async def unsubscribe(subscriber: Any) -> None:
    view = getattr(subscriber, "view", None)
    if view is None:
        return
    key = (id(asyncio.get_running_loop()), view.competition_id)
    feed = _feeds.get(key)
    if feed is None:
        return
    group = feed.groups.get(_view_key(view))
    if group is not None:
        group.discard(subscriber)
        if not group:
            del feed.groups[_view_key(view)]
    if not feed.watched:
        _feeds.pop(key, None)
        if feed.task is not None:
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feed.task


async def _run(feed: _Feed) -> None:
    interval = max(0.05, float(settings.LIVE_BROADCAST_INTERVAL_SECONDS))
    poll = min(interval, max(0.01, float(settings.LIVE_POLL_SECONDS)))
    while feed.watched:
        # The rate bound: a round starts an interval after the previous one at the earliest, and
        # the feed does not poll before then either (what it would see has to wait anyway, and
        # that wait coalesces everything recorded meanwhile into one round). So a steady stream
        # costs one GET per round; in a quiet spell the feed polls every `poll` and the first
        # change goes out at once. While the store is down, knocking once per interval is enough.
        step = poll if feed.live else interval
        await clock.sleep(max(step, feed.last_round + interval - clock.now()))
        try:
            if not await _changed(feed):
                continue
            feed.last_round = clock.now()
            await _round(feed)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the feed alive through any single bad poll
            logger.exception("Live feed of competition %s failed a round", feed.competition_id)


async def _changed(feed: _Feed) -> bool:
    """Whether a round is due: the version moved, or the store answers again after an outage."""
    try:
        version = await database_sync_to_async(_read_version)(feed.competition_id)
    except StoreUnavailable:
        if feed.live:
            feed.live = False
            logger.warning("Live store unavailable: dashboards of competition %s paused", feed.competition_id)
            await _broadcast_status(feed, live=False)
        return False
    return version != feed.version or not feed.live


async def _round(feed: _Feed) -> None:
    numbers, catalog = await database_sync_to_async(_read_figures)(feed.competition_id)
    async with feed.lock:
        if not feed.live:
            feed.live = True
            await _broadcast_status(feed, live=True)
        feed.version = numbers.version
        await _deliver(feed, numbers, catalog)
