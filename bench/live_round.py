"""CPU of one live-dashboard broadcast round, in-process: robust to a busy machine.

Serves the real ASGI application with uvicorn in this process (uvloop, httptools, websockets: the
bench's /ws/ server), connects K dashboards from the bench's watcher (bench/loadgen.py, another
process), then times N broadcast rounds of leaderboard/live.py (`_deliver` with fresh figures
each round, as the feed does after a change): CPU and wall per round, CPU per socket, and the
watcher's CPU per message received. `--fake` times the same rounds over K fake sockets instead
(no server, no network): the feed's own cost per socket.

    source /work/wt/hotenv.sh NAME PORT   # production settings, a seeded database (bench.seed)
    python -m bench.live_round /tmp/tokens_NAME.json --dashboards 1000 --rounds 10 [--fake]

The feed's own ticking is switched off (LIVE_BROADCAST_INTERVAL_SECONDS is set very long), so the
rounds timed are the only ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ["LIVE_BROADCAST_INTERVAL_SECONDS"] = "100000"
os.environ["LEADERBOARD_CATCH_UP_SECONDS"] = "0"


def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _numbers(base, catalog, n: int):
    """Figures that differ from the previous round's (each socket is sent them)."""
    from leaderboard.store import Counts

    return replace(
        base,
        version=base.version + n + 1,
        updated_at=datetime.now(UTC),
        totals=Counts(participants=n + 1, attempts=n + 1, points=10 * (n + 1)),
        regions={rid: Counts(participants=n + 1, attempts=n + 1, points=n) for rid in catalog.regions},
    )


async def _rounds(feed, base, catalog, rounds: int, pause: float) -> tuple[list[float], list[float]]:
    from leaderboard import live

    cpu, wall = [], []
    for n in range(rounds):
        numbers = _numbers(base, catalog, n)
        c0, w0 = time.process_time(), time.perf_counter()
        await live._deliver(feed, numbers, catalog)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
        await asyncio.sleep(pause)
    return cpu, wall


class _FakeSocket:
    def __init__(self, view) -> None:
        self.view = view
        self.sent_signature = None

    async def send_text(self, text: str) -> None:
        return None


async def _fake(args, competition: int) -> dict:
    from channels.db import database_sync_to_async

    from accounts.models import User
    from leaderboard import live
    from leaderboard.catalog import region_catalog
    from leaderboard.selectors import live_numbers_get, live_view_get

    admin = await database_sync_to_async(lambda: User.objects.filter(role="admin").first())()
    view = await database_sync_to_async(live_view_get)(
        competition_id=competition, user=admin, language="zh-hans"
    )
    for _ in range(args.dashboards):
        await live.subscribe(_FakeSocket(view))
    feed = live._feeds[(id(asyncio.get_running_loop()), competition)]
    base = await database_sync_to_async(live_numbers_get)(competition_id=competition)
    catalog = await database_sync_to_async(region_catalog)()
    cpu, wall = await _rounds(feed, base, catalog, args.rounds, 0.05)
    return {"sockets": len(feed.subscribers), "cpu": cpu, "wall": wall}


async def _real(args, competition: int) -> dict:
    import uvicorn
    from channels.db import database_sync_to_async

    from leaderboard import live
    from leaderboard.catalog import region_catalog
    from leaderboard.selectors import live_numbers_get

    config = uvicorn.Config(
        "config.asgi:application",  # loaded by uvicorn, in this process, as the served bench does
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        ws="websockets",
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    work = Path(tempfile.mkdtemp(prefix="live-round-"))
    spec = {
        "kind": "ws",
        "base_url": f"http://127.0.0.1:{args.port}",
        "token_file": str(Path(args.tokens).resolve()),
        "token_key": "admins",
        "competition": competition,
        "dashboards": args.dashboards,
        "duration": 3600,
        "stop_file": str(work / "stop"),
        "connect_parallelism": 50,
    }
    (work / "spec.json").write_text(json.dumps(spec))
    watcher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.loadgen",
        str(work / "spec.json"),
        str(work / "out.json"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    ready = (await watcher.stdout.readline()).decode().strip()
    await asyncio.sleep(1.0)
    feed = live._feeds[(id(asyncio.get_running_loop()), competition)]
    base = await database_sync_to_async(live_numbers_get)(competition_id=competition)
    catalog = await database_sync_to_async(region_catalog)()
    watcher_before = _proc_cpu_seconds(watcher.pid)
    cpu, wall = await _rounds(feed, base, catalog, args.rounds, 1.0)
    watcher_cpu = _proc_cpu_seconds(watcher.pid) - watcher_before
    sockets = len(feed.subscribers)
    (work / "stop").touch()
    await watcher.wait()
    server.should_exit = True
    await serving
    return {
        "ready": ready,
        "sockets": sockets,
        "cpu": cpu,
        "wall": wall,
        "watcher_us_per_message": watcher_cpu / (args.rounds * sockets) * 1e6 if sockets else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tokens", help="the token file bench.seed wrote")
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fake", action="store_true", help="fake sockets: the feed's own cost")
    args = parser.parse_args()

    import django

    django.setup()
    import uvloop

    competition = json.loads(Path(args.tokens).read_text())["competition"]
    result = uvloop.run((_fake if args.fake else _real)(args, competition))
    cpu_ms = statistics.median(result["cpu"]) * 1000
    wall_ms = statistics.median(result["wall"]) * 1000
    result.update(
        cpu_ms_median=round(cpu_ms, 2),
        wall_ms_median=round(wall_ms, 2),
        cpu_us_per_socket=round(cpu_ms * 1000 / result["sockets"], 2) if result["sockets"] else None,
    )
    print(json.dumps({k: v for k, v in result.items() if k not in ("cpu", "wall")}))


if __name__ == "__main__":
    main()
