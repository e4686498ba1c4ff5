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

`--floor` adds, per hot request, its physical floor (bench/floor.py): the statements and Redis
round trips the real requests made, replayed raw (SQL in a clone of the database taken before
them, so PostgreSQL does the same work), `floor = H + raw SQL + raw Redis + PostgreSQL + Redis`,
beside the real request and the gap; and a cProfile of `--profile-users` more participants that
says, by package (Django ORM, DRF, psycopg, redis-py, Django's request machinery, the project),
what fills the gap. Both as Markdown tables to paste into BENCHMARKS.md.

    python -m bench.hot /path/to/tokens.json --users 100 --reads 300 --floor

Servers' CPU (PostgreSQL backends, Redis) is read from /proc/<pid>/task/*/schedstat (exact, ns),
or /proc/<pid>/stat (10 ms ticks) where the kernel keeps no schedstat.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("BENCH_ROUTES", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

from bench import floor  # noqa: E402
from bench.loadgen import answers_for  # noqa: E402
from core import redis as core_redis  # noqa: E402

_proc_cpu_ms = floor.cpu_ms


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
    """CPU of this process, of the database's backends and of Redis across a block of requests.

    With a recorder (`--floor`), each request's SQL and Redis traffic is recorded under `case`.
    """

    recorder: floor.Recorder | None = None

    def __init__(self, case: str = "") -> None:
        self.case = case
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
        if Meter.recorder is not None:
            with Meter.recorder.request(self.case):
                return self._call(function, *args, **kwargs)
        return self._call(function, *args, **kwargs)

    def _call(self, function, *args, **kwargs):
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


CT = "application/json"
READ_CASES = [f"ranking read, {scope}" for scope in ("individual", "region", "organization")]
FLOOR_CASES = ["H (bare view)", "start", "answer save", "submit", *READ_CASES, "statistics read (admin)"]


def run_cases(ctx: dict, clients: list[Client], reads: int, wanted, out: dict, meter=None) -> None:
    """The hot requests in order: H, start, the answer saves, submit, the reads. `meter(case)` gives
    the Meter of a case (a profiler's stand-in in the profile pass); results land in `out`."""
    meter = meter or Meter
    comp, admin = ctx["comp"], ctx["admin"]
    if wanted("H"):
        plain = Client(HTTP_HOST="127.0.0.1")
        with meter("H (bare view)") as m:
            for _ in range(reads):
                m.call(plain.get, "/api/v1/bench/baseline/")
        out["H (bare view)"] = m.result(reads)

    if wanted("start") or wanted("answer") or wanted("submit"):
        attempts: list[dict] = []
        with meter("start") as m:
            for client in clients:
                attempts.append(_check(m.call(client.post, f"/api/v1/competitions/{comp}/attempts/"), (201,)))
        out["start"] = m.result(len(clients))
        answer_sets = [answers_for(attempt["questions"]) for attempt in attempts]
        with meter("answer save") as m:
            n = 0
            for client, attempt, answers in zip(clients, attempts, answer_sets, strict=True):
                for answer in answers:
                    path = f"/api/v1/attempts/{attempt['id']}/answers/{answer['question']}/"
                    body = json.dumps({"selected": answer["selected"]})
                    _check(m.call(client.put, path, body, content_type=CT), (200,))
                    n += 1
        out["answer save"] = m.result(n)
        with meter("submit") as m:
            for client, attempt, answers in zip(clients, attempts, answer_sets, strict=True):
                body = json.dumps({"answers": answers})
                path = f"/api/v1/attempts/{attempt['id']}/submit/"
                _check(m.call(client.post, path, body, content_type=CT), (200,))
        out["submit"] = m.result(len(clients))

    readers = clients or [ctx["warm"]]
    if wanted("read"):
        for case, scope in zip(READ_CASES, ("individual", "region", "organization"), strict=True):
            path = f"/api/v1/competitions/{comp}/leaderboard/?scope={scope}&limit=20"
            with meter(case) as m:
                for i in range(reads):
                    m.call(readers[i % len(readers)].get, path)
            out[case] = m.result(reads)
        with meter("statistics read (admin)") as m:
            for _ in range(reads):
                m.call(admin.get, f"/api/v1/competitions/{comp}/stats/")
        out["statistics read (admin)"] = m.result(reads)


class ProfileMeter:
    """The profile pass's stand-in for Meter: one CPU-time cProfile per case, nothing else."""

    profiles: dict[str, cProfile.Profile] = {}
    counts: dict[str, int] = {}

    def __init__(self, case: str) -> None:
        self.case = case
        self.profile = ProfileMeter.profiles.setdefault(case, cProfile.Profile(time.process_time))

    def __enter__(self) -> ProfileMeter:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def call(self, function, *args, **kwargs):
        self.profile.enable()
        try:
            return function(*args, **kwargs)
        finally:
            self.profile.disable()
            ProfileMeter.counts[self.case] = ProfileMeter.counts.get(self.case, 0) + 1

    def result(self, n: int) -> dict:
        return {}


def _composites(rows: dict, key_parts) -> dict:
    """The cycle (start + submit) and the crowd mix (1 start, 10 saves, 1 submit), per request."""
    mixes = {
        "cycle (start+submit, per request)": {"start": 1, "submit": 1},
        "crowd mix (1 start, 10 saves, 1 submit)": {"start": 1, "answer save": 10, "submit": 1},
    }
    out = {}
    for name, weights in mixes.items():
        if all(case in rows for case in weights):
            total = sum(weights.values())
            out[name] = key_parts(weights, total)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tokens", type=Path)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--only", default="")
    parser.add_argument(
        "--cprofile", type=Path, help="write a CPU-time cProfile (timer: process_time) of the timed requests"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also replay each request's SQL and Redis traffic raw (the floor) and profile by package",
    )
    parser.add_argument(
        "--profile-users", type=int, default=20, help="participants of the --floor profile pass (default 20)"
    )
    args = parser.parse_args(argv)
    seed = json.loads(args.tokens.read_text())
    comp = seed["competition"]
    offset_file = args.tokens.with_suffix(".offset")
    offset = int(offset_file.read_text()) if offset_file.exists() else 0
    participants = seed["participants"]
    extra = args.profile_users if args.floor else 0
    users = [participants[(offset + i) % len(participants)] for i in range(args.users + extra)]
    offset_file.write_text(str((offset + args.users + extra) % len(participants)))
    only = set(filter(None, args.only.split(",")))
    if args.floor:
        only |= {"H"} if only else set()  # the floor adds H to every request
    wanted = lambda name: not only or name in only  # noqa: E731
    out: dict = {}

    clone = None
    if args.floor:
        # Before anything writes: the clone must be the state the recorded requests start from.
        clone = floor.clone_database(connections)
        Meter.recorder = floor.Recorder()
        Meter.recorder.install(connections["default"])
    try:
        # Warm-up: one full cycle and every read, untimed (per-process caches, prepared code paths).
        # Recorded with --floor: its statements bring the clone along and warm its backend.
        warm = _client(participants[(offset - 1) % len(participants)])
        admin = _client(seed["admins"][0])
        scope = Meter.recorder.request("warm-up") if Meter.recorder else _Nothing()
        with scope:
            attempt = _check(warm.post(f"/api/v1/competitions/{comp}/attempts/"), (200, 201))
            body = json.dumps({"answers": answers_for(attempt["questions"])})
            _check(warm.post(f"/api/v1/attempts/{attempt['id']}/submit/", body, content_type=CT), (200,))
            for _ in range(3):
                _check(
                    warm.get(f"/api/v1/competitions/{comp}/leaderboard/?scope=individual&limit=20"), (200,)
                )
                _check(admin.get(f"/api/v1/competitions/{comp}/stats/"), (200,))
                _check(Client(HTTP_HOST="127.0.0.1").get("/api/v1/bench/baseline/"), (200,))

        ctx = {"comp": comp, "admin": admin, "warm": warm}
        clients = [_client(token) for token in users[: args.users]]
        if args.cprofile:
            Meter.profiler = cProfile.Profile(time.process_time)
        run_cases(ctx, clients, args.reads, wanted, out)
        if Meter.profiler is not None:
            Meter.profiler.dump_stats(str(args.cprofile))
            Meter.profiler = None
        recorder, Meter.recorder = Meter.recorder, None
        keys = ("app_median_ms", "app_ms", "pg_ms", "redis_ms")
        composites = _composites(
            out,
            lambda weights, total: {
                **{k: round(sum(w * out[c][k] for c, w in weights.items()) / total, 3) for k in keys},
                "sql": None,
                "redis_cmds": None,
                "n": None,
            },
        )
        measured = dict(out)
        out = {}
        for case, row in measured.items():
            out[case] = row
            if case == "submit":
                out.update(composites)

        floor_rows = profile_rows = None
        if recorder is not None:
            # The profile pass: more participants through the same requests, one cProfile per case.
            profiled: dict = {}
            run_cases(
                ctx,
                [_client(t) for t in users[args.users :]],
                min(args.reads, 100),
                wanted,
                profiled,
                ProfileMeter,
            )
            raw = floor.raw_connection(connections["default"], clone)
            try:
                replayed = floor.replay(recorder, list(measured), raw, floor.redis_server_pids(recorder))
            finally:
                raw.close()
                recorder.uninstall()
            floor_rows, profile_rows = _floor_rows(measured, recorder, replayed)
            out["floor"] = {"rows": floor_rows, "replay": replayed["_sql"]}
    finally:
        if clone is not None:
            floor.drop_database(connections, clone)

    print(json.dumps(out))
    print(
        "\n| case | app CPU ms, median | app CPU ms, mean | PostgreSQL CPU ms | Redis CPU ms "
        "| all-in ms (median app) | SQL/op | Redis cmds/op |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case, row in out.items():
        if case == "floor":
            continue
        total = row["app_median_ms"] + row["pg_ms"] + row["redis_ms"]
        sql = "–" if row["sql"] is None else row["sql"]
        cmds = "–" if row["redis_cmds"] is None else row["redis_cmds"]
        print(
            f"| {case} | {row['app_median_ms']:.2f} | {row['app_ms']:.2f} | {row['pg_ms']:.2f} "
            f"| {row['redis_ms']:.2f} | {total:.2f} | {sql} | {cmds} |"
        )
    if floor_rows:
        check = out["floor"]["replay"]
        print(
            "\nThe floor: each request's SQL replayed raw (psycopg, Django's adapters, client-side binding) "
            "in a clone of the database taken before the requests ran, same order and transactions; its "
            "Redis round trips replayed raw on a socket. floor = H + raw SQL (app) + raw Redis (app) + "
            f"PostgreSQL + Redis. Replay check: {check['statements']} statements, "
            f"{check['mismatches']} with another row count, {check['unexpected_errors']} unexpected errors"
            + "".join(f"\n- {example}" for example in check["examples"])
            + "\n\nThe servers' part of the gap is pacing, not other work: the replay sends the same "
            "statements and commands back to back, and a server woken after an idle gap spends more CPU "
            "on the same command (caches gone cold; a Redis GET 10 µs back to back, 30-45 µs after a "
            "2 ms gap on this VM). A faster application closes that part too.\n"
        )
        print(floor.markdown_floor(floor_rows))
        print(
            "\nWhat fills the gap: the real request's app CPU (median) by package, from a CPU-time "
            f"cProfile of {args.profile_users} more participants (self time; a built-in is charged to "
            "its callers' packages):\n"
        )
        print(floor.markdown_profile(profile_rows))


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def _floor_rows(measured: dict, recorder: floor.Recorder, replayed: dict) -> tuple[list, list]:
    """Rows of the floor and profile tables, with the cycle and crowd composites."""
    h = measured.get("H (bare view)", {}).get("app_median_ms", 0.0)
    base: dict[str, dict] = {}
    for case in FLOOR_CASES:
        if case not in measured or case not in replayed:
            continue
        real, rep = measured[case], replayed[case]
        sql, trips = recorder.counts(case)
        stats = ProfileMeter.profiles.get(case)
        packages = floor.package_profile(pstats.Stats(stats)) if stats is not None else {}
        total = sum(packages.values()) or 1.0
        base[case] = {
            "case": case,
            "real": [real["app_median_ms"], real["pg_ms"], real["redis_ms"]],
            "floor": [
                h if case != "H (bare view)" else real["app_median_ms"],
                rep.get("sql_app_ms", 0.0),
                rep.get("redis_app_ms", 0.0),
                rep.get("pg_ms", 0.0),
                rep.get("redis_ms", 0.0),
            ],
            "sql": round(sql, 2),
            "trips": round(trips, 2),
            "app_ms": real["app_median_ms"],
            "packages": {k: v / total * real["app_median_ms"] for k, v in packages.items()},
        }

    def mix(weights, total):
        rows = [base[c] for c in weights]
        ws = list(weights.values())
        return {
            "real": [sum(w * r["real"][i] for r, w in zip(rows, ws, strict=True)) / total for i in range(3)],
            "floor": [
                sum(w * r["floor"][i] for r, w in zip(rows, ws, strict=True)) / total for i in range(5)
            ],
            "sql": round(sum(w * r["sql"] for r, w in zip(rows, ws, strict=True)) / total, 2),
            "trips": round(sum(w * r["trips"] for r, w in zip(rows, ws, strict=True)) / total, 2),
            "app_ms": sum(w * r["app_ms"] for r, w in zip(rows, ws, strict=True)) / total,
            "packages": {
                group: sum(w * r["packages"].get(group, 0.0) for r, w in zip(rows, ws, strict=True)) / total
                for group in floor.GROUPS
            },
        }

    rows = []
    composites = _composites(base, mix)
    for case, row in base.items():
        rows.append(row)
        if case == "submit":
            rows.extend({"case": name, **value} for name, value in composites.items())
    return rows, rows


if __name__ == "__main__":
    main()
