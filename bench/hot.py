"""CPU per hot request, in-process: robust to a busy machine, where wall-clock figures are not.

Every request goes through Django's full stack (middleware, DRF, the views) via the test client,
against a seeded scratch database (`python -m bench.seed`) and a real Redis, production settings.
For each kind of request it reports, per request: this process's CPU (`time.process_time`), the
CPU the database's backends and the Redis server spent meanwhile (from /proc), SQL statements and
Redis commands. No sockets, no nginx, no server threads: the figure is the application's own cost
plus PostgreSQL's and Redis's, the part the levers of issue 16 change.

    python -m bench.hot /path/to/tokens.json --users 150 --reads 300 [--only start,answer,...]

Prints one JSON object {case: {"app_ms", "pg_ms", "redis_ms", "sql", "redis_cmds", "n"}}, then a
table. Each run takes the next `--users` seeded participants (the offset is kept in
`<tokens>.offset`), so throttles and quotas stay out of the way.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("BENCH_ROUTES", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.loadgen import answers_for  # noqa: E402
from core import redis as core_redis  # noqa: E402

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _proc_cpu_ms(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def _pg_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


def _redis_pid() -> int:
    return int(core_redis.get_client().info("server")["process_id"])


def _redis_calls() -> int:
    stats = core_redis.get_client().info("commandstats")
    return sum(value["calls"] for key, value in stats.items() if key != "cmdstat_info")


class Meter:
    """CPU of this process, of the database's backends and of Redis across a block of requests."""

    def __init__(self) -> None:
        self.redis_pid = _redis_pid()

    def __enter__(self) -> Meter:
        self.pg = {pid: _proc_cpu_ms(pid) for pid in _pg_pids()}
        self.redis = _proc_cpu_ms(self.redis_pid)
        self.calls = _redis_calls()
        self.sql = 0
        self.samples: list[float] = []
        self.wrapper = connection.execute_wrapper(self._count)
        self.wrapper.__enter__()
        self.cpu = time.process_time()
        return self

    profiler = None

    def call(self, function, *args, **kwargs):
        """One request, its CPU time recorded on its own (the median resists a busy machine)."""
        started = time.process_time()
        if Meter.profiler is not None:
            Meter.profiler.enable()
        result = function(*args, **kwargs)
        if Meter.profiler is not None:
            Meter.profiler.disable()
        self.samples.append(time.process_time() - started)
        return result

    def _count(self, execute, sql, params, many, context):
        self.sql += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc) -> None:
        self.app_ms = (time.process_time() - self.cpu) * 1000
        self.wrapper.__exit__(None, None, None)
        # INFO itself is one call (excluded above, but `commandstats` counts the previous INFO).
        self.redis_cmds = _redis_calls() - self.calls
        self.redis_ms = _proc_cpu_ms(self.redis_pid) - self.redis
        self.pg_ms = sum(_proc_cpu_ms(pid) - before for pid, before in self.pg.items())

    def result(self, n: int) -> dict:
        return {
            "app_median_ms": round(statistics.median(self.samples) * 1000, 3) if self.samples else None,
            "app_ms": round(self.app_ms / n, 3),
            "pg_ms": round(self.pg_ms / n, 3),
            "redis_ms": round(self.redis_ms / n, 3),
            "sql": round(self.sql / n, 2),
            "redis_cmds": round(self.redis_cmds / n, 2),
            "n": n,
        }


def _client(token: str) -> Client:
    return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")


def _check(response, expected: tuple[int, ...]) -> dict:
    if response.status_code not in expected:
        raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")
    return response.json()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tokens", type=Path)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--only", default="")
    parser.add_argument(
        "--cprofile", type=Path, help="write a CPU-time cProfile (timer: process_time) of the timed requests"
    )
    args = parser.parse_args(argv)
    seed = json.loads(args.tokens.read_text())
    comp = seed["competition"]
    offset_file = args.tokens.with_suffix(".offset")
    offset = int(offset_file.read_text()) if offset_file.exists() else 0
    participants = seed["participants"]
    users = [participants[(offset + i) % len(participants)] for i in range(args.users)]
    offset_file.write_text(str((offset + args.users) % len(participants)))
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only  # noqa: E731
    out: dict = {}
    ct = "application/json"

    # Warm-up: one full cycle and every read, untimed (per-process caches, prepared code paths).
    warm = _client(participants[(offset - 1) % len(participants)])
    attempt = _check(warm.post(f"/api/v1/competitions/{comp}/attempts/"), (200, 201))
    body = json.dumps({"answers": answers_for(attempt["questions"])})
    _check(warm.post(f"/api/v1/attempts/{attempt['id']}/submit/", body, content_type=ct), (200,))
    admin = _client(seed["admins"][0])
    for _ in range(3):
        _check(warm.get(f"/api/v1/competitions/{comp}/leaderboard/?scope=individual&limit=20"), (200,))
        _check(admin.get(f"/api/v1/competitions/{comp}/stats/"), (200,))
        _check(Client(HTTP_HOST="127.0.0.1").get("/api/v1/bench/baseline/"), (200,))

    clients = [_client(token) for token in users]
    if args.cprofile:
        Meter.profiler = cProfile.Profile(time.process_time)
    if wanted("H"):
        plain = Client(HTTP_HOST="127.0.0.1")
        with Meter() as meter:
            for _ in range(args.reads):
                meter.call(plain.get, "/api/v1/bench/baseline/")
        out["H (bare view)"] = meter.result(args.reads)

    attempts: list[dict] = []
    if wanted("start") or wanted("answer") or wanted("submit"):
        with Meter() as meter:
            for client in clients:
                attempts.append(
                    _check(meter.call(client.post, f"/api/v1/competitions/{comp}/attempts/"), (201,))
                )
        out["start"] = meter.result(len(clients))
        answer_sets = [answers_for(attempt["questions"]) for attempt in attempts]
        with Meter() as meter:
            n = 0
            for client, attempt, answers in zip(clients, attempts, answer_sets, strict=True):
                for answer in answers:
                    path = f"/api/v1/attempts/{attempt['id']}/answers/{answer['question']}/"
                    body = json.dumps({"selected": answer["selected"]})
                    _check(meter.call(client.put, path, body, content_type=ct), (200,))
                    n += 1
        out["answer save"] = meter.result(n)
        with Meter() as meter:
            for client, attempt, answers in zip(clients, attempts, answer_sets, strict=True):
                body = json.dumps({"answers": answers})
                _check(
                    meter.call(
                        client.post, f"/api/v1/attempts/{attempt['id']}/submit/", body, content_type=ct
                    ),
                    (200,),
                )
        out["submit"] = meter.result(len(clients))
        keys = ("app_median_ms", "app_ms", "pg_ms", "redis_ms")
        cycle = {k: round((out["start"][k] + out["submit"][k]) / 2, 3) for k in keys}
        out["cycle (start+submit, per request)"] = {**cycle, "sql": None, "redis_cmds": None, "n": None}
        crowd = {
            k: round((out["start"][k] + 10 * out["answer save"][k] + out["submit"][k]) / 12, 3) for k in keys
        }
        out["crowd mix (1 start, 10 saves, 1 submit)"] = {**crowd, "sql": None, "redis_cmds": None, "n": None}

    reader = clients[0] if clients else warm
    for scope in ("individual", "region", "organization"):
        if wanted("read"):
            path = f"/api/v1/competitions/{comp}/leaderboard/?scope={scope}&limit=20"
            with Meter() as meter:
                for i in range(args.reads):
                    meter.call((clients[i % len(clients)] if clients else reader).get, path)
            out[f"ranking read, {scope}"] = meter.result(args.reads)
    if wanted("read"):
        with Meter() as meter:
            for _ in range(args.reads):
                meter.call(admin.get, f"/api/v1/competitions/{comp}/stats/")
        out["statistics read (admin)"] = meter.result(args.reads)

    print(json.dumps(out))
    if Meter.profiler is not None:
        Meter.profiler.dump_stats(str(args.cprofile))
    print(
        "\n| case | app CPU ms, median | app CPU ms, mean | PostgreSQL CPU ms | Redis CPU ms "
        "| all-in ms (median app) | SQL/op | Redis cmds/op |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case, row in out.items():
        total = row["app_median_ms"] + row["pg_ms"] + row["redis_ms"]
        sql = "–" if row["sql"] is None else row["sql"]
        cmds = "–" if row["redis_cmds"] is None else row["redis_cmds"]
        print(
            f"| {case} | {row['app_median_ms']:.2f} | {row['app_ms']:.2f} | {row['pg_ms']:.2f} "
            f"| {row['redis_ms']:.2f} | {total:.2f} | {sql} | {cmds} |"
        )


if __name__ == "__main__":
    main()
