"""The feed's pacing and fan-out (leaderboard/live.py), on a fake clock with fake sockets.

Virtual time makes the timing exact on any machine: the store is a list of write times (the version
is how many of them are in the past), and every sleep of the feed moves the clock forward at once.
"""

import asyncio
from datetime import UTC, datetime

import pytest

from leaderboard import live
from leaderboard.catalog import RegionCatalog, RegionInfo
from leaderboard.selectors import LiveView, ViewerScope
from leaderboard.store import Counts, LiveNumbers

COMPETITION = 7
COUNTY = RegionInfo(
    id=11,
    code="622901",
    name_zh="临夏市",
    name_en="Linxia City",
    level="county",
    parent_id=None,
    path="0011/",
    headcount_target=100,
)
CATALOG = RegionCatalog(regions={COUNTY.id: COUNTY})
ADMIN = ViewerScope(root_id=None, listed_ids=(COUNTY.id,))
ORGANIZER = ViewerScope(root_id=COUNTY.id, listed_ids=(COUNTY.id,))

# No query runs, but the feed's reads go through database_sync_to_async, whose thread checks the
# connections another test left open.
pytestmark = pytest.mark.django_db(transaction=True)


class FakeClock:
    """Stopped until `running` is set (every socket connects at 0); then each sleep returns at once
    with the clock moved on; past `end` the feed is parked for good."""

    def __init__(self, end: float) -> None:
        self.t = 0.0
        self.end = end
        self.running = asyncio.Event()
        self.finished = asyncio.Event()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        await self.running.wait()
        self.t += max(0.0, seconds)
        if self.t >= self.end:
            self.finished.set()
            await asyncio.Event().wait()  # until unsubscribe cancels the feed
        await asyncio.sleep(0)


class FakeStore:
    """Submissions recorded at the given virtual times; each one adds an attempt in the county."""

    def __init__(self, clock: FakeClock, writes: list[float]) -> None:
        self.clock = clock
        self.writes = sorted(writes)
        self.version_reads: list[float] = []

    def count(self) -> int:
        return sum(1 for at in self.writes if at <= self.clock.t)

    def version(self, competition_id: int) -> int:
        self.version_reads.append(self.clock.t)
        return self.count()

    def figures(self, competition_id: int) -> tuple[LiveNumbers, RegionCatalog]:
        n = self.count()
        counts = Counts(participants=n, attempts=n, points=10 * n)
        numbers = LiveNumbers(
            competition_id=competition_id,
            version=n,
            updated_at=datetime(2026, 12, 1, tzinfo=UTC),
            totals=counts,
            regions={COUNTY.id: counts},
            region_updated={},
        )
        return numbers, CATALOG


class FakeSocket:
    def __init__(self, scope: ViewerScope = ADMIN, language: str = "zh-hans", clock: FakeClock | None = None):
        self.view = LiveView(competition_id=COMPETITION, scope=scope, language=language)
        self.sent_signature = None
        self.clock = clock
        self.received: list[tuple[float, str]] = []

    async def send_text(self, text: str) -> None:
        self.received.append((self.clock.t, text))

    def attempts(self) -> list[tuple[float, int]]:
        import json

        return [(at, json.loads(text)["attempts"]) for at, text in self.received]


class BrokenSocket(FakeSocket):
    async def send_text(self, text: str) -> None:
        raise ConnectionResetError("gone")


@pytest.fixture
def feed_world(monkeypatch, settings):
    settings.LIVE_BROADCAST_INTERVAL_SECONDS = 1.0
    settings.LIVE_POLL_SECONDS = 0.1

    def make(end: float, writes: list[float]) -> tuple[FakeClock, FakeStore]:
        clock = FakeClock(end)
        store = FakeStore(clock, writes)
        monkeypatch.setattr(live, "clock", clock)
        monkeypatch.setattr(live, "_read_version", store.version)
        monkeypatch.setattr(live, "_read_figures", store.figures)
        return clock, store

    return make


async def _watch(clock: FakeClock, sockets: list[FakeSocket]) -> None:
    for socket in sockets:
        socket.clock = clock
        await live.subscribe(socket)
    clock.running.set()
    await asyncio.wait_for(clock.finished.wait(), timeout=30)
    for socket in sockets:
        await live.unsubscribe(socket)


async def test_a_change_after_a_quiet_interval_reaches_dashboards_within_one_poll(feed_world):
    writes = [0.35, 5.0, 9.03]  # the first one just after the dashboard connected
    clock, _store = feed_world(end=12.0, writes=writes)
    socket = FakeSocket()
    await _watch(clock, [socket])
    (start, zero), *updates = socket.attempts()
    assert (start, zero) == (0.0, 0)
    assert [attempts for _at, attempts in updates] == [1, 2, 3]
    # A fixed one-second tick would make these wait up to a second.
    for written, (sent, _attempts) in zip(writes, updates, strict=True):
        assert written <= sent <= written + 0.1 + 1e-9


async def test_a_steady_stream_gets_one_update_per_interval_and_the_last_one_carries_everything(feed_world):
    writes = [1.0 + i * 0.01 for i in range(1000)]  # 100 submissions a second for 10 s
    clock, store = feed_world(end=15.0, writes=writes)
    socket = FakeSocket()
    await _watch(clock, [socket])
    updates = socket.attempts()[1:]
    times = [at for at, _n in updates]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1.0 - 1e-9, "the rate bound: one update per interval at most"
    assert len(updates) <= 11  # 10 s of stream, the first at once
    assert updates[0][0] <= 1.0 + 0.1 + 1e-9  # the first change of the stream goes out within a poll
    assert updates[-1][1] == 1000  # the burst's last change is never lost...
    assert updates[-1][0] <= writes[-1] + 1.0 + 1e-9  # ...and goes out within an interval
    # Each update carries every submission recorded before it was read.
    assert all(n == sum(1 for w in writes if w <= at) for at, n in updates)
    # Redis load: every poll in the quiet spells before and after, one per round during the stream
    # (the feed does not poll while the rate bound holds the next round back anyway).
    during = [at for at in store.version_reads if times[0] < at <= times[-1]]
    assert during == times[1:]
    quiet_before = [at for at in store.version_reads if at <= times[0]]
    assert len(quiet_before) == round(times[0] / 0.1)


async def test_each_view_is_rendered_and_encoded_once_per_round_and_its_text_shared(feed_world, monkeypatch):
    clock, _store = feed_world(end=4.0, writes=[2.0])
    renders: list[tuple] = []
    real_render = live.render

    def counting_render(numbers, catalog, view):
        renders.append((numbers.version, view.scope.key, view.language))
        return real_render(numbers, catalog, view)

    monkeypatch.setattr(live, "render", counting_render)
    sockets = (
        [FakeSocket(ADMIN, "zh-hans") for _ in range(600)]
        + [FakeSocket(ADMIN, "en") for _ in range(300)]
        + [FakeSocket(ORGANIZER, "en") for _ in range(100)]
    )
    await _watch(clock, sockets)
    # Connecting renders once per socket; the round after the change renders once per view.
    in_round = [r for r in renders if r[0] == 1]
    assert sorted(in_round) == sorted(
        {(1, ADMIN.key, "zh-hans"), (1, ADMIN.key, "en"), (1, ORGANIZER.key, "en")}
    )
    for group in (sockets[:600], sockets[600:900], sockets[900:]):
        texts = [socket.received[-1][1] for socket in group]
        assert all(text is texts[0] for text in texts)  # one str object, encoded once
    assert '"name": "临夏市"' in sockets[0].received[-1][1]
    assert '"name": "Linxia City"' in sockets[600].received[-1][1]


async def test_a_broken_socket_does_not_stop_the_round(feed_world):
    clock, _store = feed_world(end=3.0, writes=[1.0])
    healthy = FakeSocket()
    broken = BrokenSocket()
    broken.clock = clock
    healthy.clock = clock
    await live.subscribe(healthy)
    live._feeds[(id(asyncio.get_running_loop()), COMPETITION)].groups[live._view_key(broken.view)].add(broken)
    clock.running.set()
    await asyncio.wait_for(clock.finished.wait(), timeout=30)
    await live.unsubscribe(broken)
    await live.unsubscribe(healthy)
    assert [n for _at, n in healthy.attempts()] == [0, 1]
