"""The measurements of one benchmark run, in order, against the topology bench/run.py brought up.

Each phase runs only when its endpoint answers (probed once at the start); otherwise it leaves a
"not available yet" line in the report. Every load is a bounded generator process
(bench/loadgen.py) or wrk, on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis as redis_py

from bench import pyspy
from bench.stats import (
    all_latencies,
    commandstats_delta,
    error_count,
    linear_slope,
    merge_results,
    missed_updates,
    parse_commandstats,
    rate_in_window,
    summarize,
    update_lags,
    window_seconds,
)
from bench.topology import ROOT, BenchError

HARNESS_COMMANDS = {"info", "ping", "config|get", "client|setinfo", "hello"}


# --- plumbing -------------------------------------------------------------------------------------
def http(bench, method: str, path: str, token: str | None = None, body=None, timeout: float = 30):
    """One request through nginx: (status, parsed JSON or None)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(bench.base_url + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError) as exc:
        return f"error: {exc}", None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def generate(bench, spec: dict, procs: int = 1, timeout: float | None = None) -> dict:
    """Run the load generator in `procs` processes (the load split between them) and merge."""
    base = {"base_url": bench.base_url, "token_file": str(bench.token_file), **spec}
    specs = []
    for index in range(procs):
        part = dict(base)
        for key in ("concurrency", "participants", "connections", "dashboards"):
            if key in part:
                part[key] = max(1, part[key] // procs + (1 if index < part[key] % procs else 0))
        if "rate" in part:
            part["rate"] = part["rate"] / procs
        # Disjoint users per process: offsets spread over the seeded participants.
        part["token_offset"] = base.get("token_offset", 0) + index * (
            len(bench.seed["participants"]) // procs
        )
        specs.append(part)
    children = []
    for index, part in enumerate(specs):
        spec_path = bench.workdir / f"spec-{time.time_ns()}-{index}.json"
        out_path = spec_path.with_suffix(".out.json")
        spec_path.write_text(json.dumps(part))
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen", str(spec_path), str(out_path)], cwd=ROOT
        )
        children.append((proc, out_path))
    limit = timeout if timeout is not None else spec.get("duration", 30) + 90
    started = time.monotonic()
    try:
        for proc, _out in children:
            # A long run says every minute that it is alive and how the servers are doing.
            while True:
                left = limit - (time.monotonic() - started)
                try:
                    proc.wait(timeout=max(min(left, 60.0), 0.01))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - started >= limit:
                        raise
                    _progress(bench, time.monotonic() - started)
    except subprocess.TimeoutExpired:
        _stop_generators(children)
        raise BenchError(f"a load generator did not stop within {limit:.0f} s") from None
    except BaseException:  # Ctrl-C, SIGTERM: no generator outlives the run
        _stop_generators(children)
        raise
    results = []
    for proc, out_path in children:
        if proc.returncode != 0 or not out_path.exists():
            raise BenchError(f"a load generator failed (exit {proc.returncode})")
        results.append(json.loads(out_path.read_text()))
    merged = merge_results(results)
    merged["procs"] = procs
    return merged


def _stop_generators(children) -> None:
    for proc, _out in children:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _progress(bench, elapsed: float) -> None:
    now = time.time()
    cores = bench.sampler.cpu_cores("servers", now - 60, now)
    _proc, rss = bench.sampler.peak_rss_mib("servers", now - 60, now)
    bench.log(
        f"  … {elapsed:.0f} s: servers {cores or 0:.2f} cores, RSS {rss or 0:.0f} MiB over the last minute"
    )


def memory_trend(bench, start: float, end: float) -> dict:
    """The servers' summed RSS over a window: first and last tenth, peak, trend after the first
    tenth (MiB per minute) and about 20 samples."""
    series = bench.sampler.rss_series_mib("servers", start, end)
    tenth = max(len(series) // 10, 1)
    first = sum(v for _t, v in series[:tenth]) / tenth if series else None
    last = sum(v for _t, v in series[-tenth:]) / tenth if series else None
    # The second tenth: after the warm-up (connections, threads and per-process caches come up).
    second = series[tenth : 2 * tenth]
    settled = sum(v for _t, v in second) / len(second) if second else first
    slope = linear_slope([(t - start, v) for t, v in series[tenth:]]) if len(series) > tenth + 1 else None
    return {
        "seconds": end - start,
        "first": first,
        "settled": settled,
        "last": last,
        "peak": max((v for _t, v in series), default=None),
        "slope_mib_per_min": slope * 60 if slope is not None else None,
        "series": [(round(t - start), round(v, 1)) for t, v in series[:: max(len(series) // 20, 1)]],
    }


class Window:
    """Snapshots around a measurement: time, Redis commands, SQL transactions, server CPU."""

    def __init__(self, bench, sql: bool = False) -> None:
        self.bench = bench
        self.sql = sql
        self.redis = redis_py.Redis(port=bench.args.redis_port)

    def commandstats(self) -> dict[str, int]:
        return parse_commandstats(self.redis.info("commandstats"))

    def __enter__(self) -> Window:
        if self.sql:
            time.sleep(1.1)  # let the servers' backends flush their statistics
            self.sql_before = self.bench.db.transactions()
        self.redis_before = self.commandstats()
        self.start = time.time()
        return self

    def __exit__(self, *exc) -> None:
        self.end = time.time()
        self.redis_delta = commandstats_delta(self.redis_before, self.commandstats(), ignore=HARNESS_COMMANDS)
        self.sql_delta = None
        if self.sql:
            time.sleep(1.1)
            self.sql_delta = self.bench.db.transactions() - self.sql_before
        self.redis.close()

    @property
    def redis_calls(self) -> int:
        return sum(self.redis_delta.values())


def add_row(
    bench,
    name: str,
    result: dict | None,
    window: Window | None,
    *,
    ops: int | None = None,
    h: bool = True,
    labels=None,
    note: str = "",
    **extra,
) -> dict:
    """A table row from a generator result and its window; ratio to the same server's H."""
    server = bench.servers.kind if bench.servers else "?"
    row = {"name": name, "server": server, "note": note, **extra}
    if result is not None:
        span = window_seconds(result)
        latencies = all_latencies(result, labels)
        ok = sum(result["ok"].values())
        row.update(summarize(latencies))
        row["requests"] = ok + error_count(result)
        row["rps"] = ok / span if span else None
        row["errors"] = error_count(result)
        row["error_kinds"] = result["errors"]
        row["gen_cpu"] = result["cpu_seconds"] / span if span else None
        row["gen_procs"] = result.get("procs", 1)
        row["per_label"] = {label: summarize(values) for label, values in result["latencies"].items()}
    if window is not None:
        row["srv_cpu"] = bench.sampler.cpu_cores("servers", window.start, window.end)
        done = sum(result["ok"].values()) if result is not None else 0
        if done:
            span = window.end - window.start
            # CPU milliseconds per successful request, by process group: unlike req/s, this hardly
            # changes when other work shares the cores.
            row["cpu_ms"] = {
                group: (bench.sampler.cpu_cores(group, window.start, window.end) or 0) * span * 1000 / done
                for group in ("servers", "postgres", "redis", "nginx")
            }
        row["rss_proc"], row["rss_total"] = bench.sampler.peak_rss_mib("servers", window.start, window.end)
        row["db_conns"] = bench.sampler.peak_backends(window.start, window.end)
        if ops:
            row["redis_per_op"] = window.redis_calls / ops
            row["redis_top"] = dict(list(window.redis_delta.items())[:8])
            if window.sql_delta is not None:
                row["sql_per_op"] = window.sql_delta / ops
    h_rps = bench.sections.get("h", {}).get(server)
    if h and h_rps and row.get("rps"):
        row["ratio"] = row["rps"] / h_rps
    bench.rows.append(row)
    bench.log(
        f"{name}: {row.get('rps') or 0:,.0f} req/s, p50 {row.get('p50') or 0:.1f} ms, p99 {row.get('p99') or 0:.1f} ms, "
        f"errors {row.get('errors', 0)}"
        + (f", ratio {row['ratio'] * 100:.0f} % of H" if row.get("ratio") else "")
    )
    return row


def unavailable(bench, what: str, why: str) -> None:
    line = f"{what}: not available yet ({why})"
    bench.unavailable.append(line)
    bench.log(line)


# --- availability -----------------------------------------------------------------------------------
def probe(bench) -> None:
    """Which endpoints exist in this checkout: each measurement runs only when its endpoint answers."""
    comp = bench.seed["competition"]
    token = bench.seed["participants"][-1]
    admin = bench.seed["admins"][0]
    avail = bench.available
    status, _ = http(bench, "GET", "/api/v1/bench/baseline/")
    avail["baseline"] = status == 200
    status, attempt = http(bench, "POST", f"/api/v1/competitions/{comp}/attempts/", token)
    avail["start"] = status in (200, 201) and bool(attempt and attempt.get("questions"))
    bench.probe_status = {"start": status}
    avail["answer"] = avail["cycle"] = False
    if avail["start"]:
        questions = attempt["questions"]
        first = questions[0]
        keys = [o["key"] for o in first.get("options", [])] or ["A"]
        status, _ = http(
            bench,
            "PUT",
            f"/api/v1/attempts/{attempt['id']}/answers/{first['id']}/",
            token,
            {"selected": keys[:1]},
        )
        avail["answer"] = status in (200, 201, 204)
        bench.probe_status["answer"] = status
        from bench.loadgen import answers_for

        status, body = http(
            bench,
            "POST",
            f"/api/v1/attempts/{attempt['id']}/submit/",
            token,
            {"answers": answers_for(questions)},
        )
        avail["cycle"] = status == 200 and bool(body) and body.get("status") == "submitted"
        bench.probe_status["submit"] = status
    status, body = http(
        bench, "GET", f"/api/v1/competitions/{comp}/leaderboard/?scope=individual&limit=20", token
    )
    avail["leaderboard"] = status == 200 and isinstance(body, dict) and "entries" in body
    bench.probe_status["leaderboard"] = status
    status, body = http(bench, "GET", f"/api/v1/competitions/{comp}/stats/", admin)
    avail["stats"] = status == 200
    bench.probe_status["stats"] = status
    avail["ws"] = probe_ws(bench, admin)
    bench.log("available: " + ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in avail.items()))


def sql_census(bench) -> None:
    """The SQL statements of each benchmarked request, captured in-process (bench/queries.py)."""
    if not bench.available.get("start"):
        return
    done = subprocess.run(
        [sys.executable, "-m", "bench.queries", str(bench.token_file)],
        cwd=ROOT,
        env=bench.server_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        bench.notes.append("The SQL census failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
        return
    bench.sections["sql"] = json.loads(done.stdout.strip().splitlines()[-1])
    bench.log(
        "SQL per request: " + ", ".join(f"{k} {v['queries']}" for k, v in bench.sections["sql"].items())
    )


def micro(bench) -> None:
    """In-process timings behind the report's proposals (bench/micro.py)."""
    if not bench.available.get("start"):
        return
    done = subprocess.run(
        [sys.executable, "-m", "bench.micro", "100" if bench.args.quick else "300"],
        cwd=ROOT,
        env=bench.server_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        bench.notes.append("The micro-benchmarks failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
        return
    bench.sections["micro"] = json.loads(done.stdout.strip().splitlines()[-1])
    bench.log("micro: " + ", ".join(f"{k} {v['ms']:.2f} ms" for k, v in bench.sections["micro"].items()))


def probe_ws(bench, token: str) -> bool:
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    url = (
        bench.base_url.replace("http://", "ws://")
        + f"/ws/competitions/{bench.seed['competition']}/live/?token={token}"
    )
    try:
        with connect(url, origin=bench.base_url, open_timeout=5, close_timeout=2) as ws:
            message = json.loads(ws.recv(timeout=5))
            bench.probe_status["ws"] = message.get("type")
            return isinstance(message, dict)
    except (OSError, TimeoutError, ValueError, WebSocketException) as exc:
        bench.probe_status["ws"] = type(exc).__name__ + (f" {exc}" if str(exc) else "")[:120]
        return False


# --- measurements -------------------------------------------------------------------------------------
def phase_baseline(bench, record_h: bool = True) -> None:
    args = bench.args
    server = bench.servers.kind
    spec = {
        "kind": "get",
        "paths": ["/api/v1/bench/baseline/"],
        "concurrency": args.concurrency,
        "connections": args.concurrency,
        "duration": args.duration,
        "label": "baseline",
        "token_file": None,
    }
    generate(bench, dict(spec, duration=2))  # warm-up: connections, lazy imports
    with Window(bench) as window:
        result = generate(bench, spec)
    if record_h:
        bench.sections.setdefault("h", {})[server] = sum(result["ok"].values()) / window_seconds(result)
    add_row(bench, f"H: bare Django JSON ({server})", result, window, h=False, kind="baseline")
    wrk = shutil.which("wrk")
    if wrk and record_h:
        wrk_row(bench, wrk, "/api/v1/bench/baseline/", f"H via wrk, reference ({server})")
    if record_h and server == bench.args.server:
        spec_health = dict(spec, paths=["/api/v1/health/"], label="health")
        with Window(bench) as window:
            result = generate(bench, spec_health)
        add_row(bench, f"health: DRF APIView, no auth ({server})", result, window, kind="health")


def wrk_row(bench, wrk: str, path: str, name: str, header: str | None = None) -> None:
    args = bench.args
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        wrk,
        "-t1",
        f"-c{args.concurrency}",
        f"-d{int(args.duration)}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if header:
        command += ["-H", header]
    with Window(bench) as window:
        out = subprocess.run(
            [*command, bench.base_url + path], capture_output=True, text=True, timeout=args.duration + 30
        ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    span = window.end - window.start
    row = {
        "name": name,
        "server": bench.servers.kind,
        "kind": "wrk",
        "note": "wrk, C generator: same path, less generator CPU",
    }
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    row["rps"] = float(match.group(1)) if match else None
    for pct, key in (("50", "p50"), ("99", "p99")):
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            row[key] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    row["errors"] = (int(errors.group(1)) if errors else 0) + (
        sum(map(int, socket_errors.groups())) if socket_errors else 0
    )
    row["gen_cpu"] = ((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)) / span
    row["srv_cpu"] = bench.sampler.cpu_cores("servers", window.start, window.end)
    row["rss_proc"], row["rss_total"] = bench.sampler.peak_rss_mib("servers", window.start, window.end)
    bench.rows.append(row)
    bench.log(f"{name}: {row['rps'] or 0:,.0f} req/s")


def cycle_saturation(bench, label: str = "") -> dict | None:
    args = bench.args
    spec = {
        "kind": "cycle",
        "competition": bench.seed["competition"],
        "concurrency": args.concurrency,
        "connections": args.concurrency,
        "duration": args.duration,
    }
    generate(bench, dict(spec, duration=2, token_offset=bench.take_users(2000)))  # warm-up
    with Window(bench, sql=True) as window:
        result = generate(bench, dict(spec, token_offset=bench.take_users(20000)))
    submissions = len(result["extra"].get("submissions", []))
    span = window_seconds(result)
    cps = submissions / span if span else 0
    row = add_row(
        bench,
        f"start-and-submit cycle, saturation ({bench.servers.kind}){label}",
        result,
        window,
        ops=submissions,
        kind="cycle",
        cycles_per_s=cps,
        note=f"{cps:,.0f} cycles/s (2 requests each); SQL and Redis per submitted cycle",
    )
    bench.sections.setdefault("cycle_cps", {})[bench.servers.kind] = cps
    return row


def phase_cycle(bench) -> None:
    if not bench.available.get("cycle"):
        unavailable(bench, "start-and-submit cycle", f"probe answered {bench.probe_status}")
        return
    cycle_saturation(bench)
    cps = bench.sections["cycle_cps"][bench.servers.kind]
    rate = max(cps * 0.7, 1.0)
    spec = {
        "kind": "cycle_rate",
        "competition": bench.seed["competition"],
        "rate": rate,
        "duration": bench.args.duration * 1.5,
        "token_offset": bench.take_users(int(rate * bench.args.duration * 2) + 10),
    }
    with Window(bench, sql=True) as window:
        result = generate(bench, spec)
    submissions = len(result["extra"].get("submissions", []))
    add_row(
        bench,
        f"cycle at 70 % of saturation, open loop ({rate:,.0f} cycles/s)",
        result,
        window,
        ops=submissions,
        h=False,
        kind="cycle70",
        target_rate=rate,
        note=f"late launches {result['extra'].get('late_launches', 0)}; p99 target < 150 ms",
    )


def forget_cached_tokens(bench) -> int:
    """Drop every entry of the token cache (core/tokens.py: keys `<prefix>:<version>:auth:token:<digest>`)
    from the benchmark's own Redis; how many."""
    client = redis_py.Redis(port=bench.args.redis_port)
    try:
        dropped = 0
        batch = []
        for key in client.scan_iter(match="*:auth:token:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                dropped += client.delete(*batch)
                batch = []
        if batch:
            dropped += client.delete(*batch)
        return dropped
    finally:
        client.close()


# Participants reading rankings in the phase. A reader in a campaign has started an attempt before,
# so their token is in the token cache (core/tokens.py, TOKEN_CACHE_SECONDS, 300 s): the ranking
# rows read with these readers' tokens warmed first, all within a minute or so. Each reader reads
# several times in a window (about 1,000 reads/s for 12 s), as people refresh a ranking.
READERS = 2000


def phase_rankings(
    bench, scopes=("individual", "region", "organization"), stats: bool = True, cold: bool = True
) -> None:
    comp = bench.seed["competition"]
    if not bench.available.get("leaderboard"):
        unavailable(
            bench, "ranking reads", f"GET leaderboard answered {bench.probe_status.get('leaderboard')}"
        )
    else:
        readers = bench.take_users(READERS)
        common = {
            "kind": "get",
            "concurrency": bench.args.concurrency,
            "connections": bench.args.concurrency,
            "token_offset": readers,
            "token_count": READERS,
        }
        paths = {
            scope: f"/api/v1/competitions/{comp}/leaderboard/?scope={scope}&limit=20" for scope in scopes
        }
        # Untimed: every reader reads once (their token enters the cache; every scope's code path and
        # the processes warm up), then PostgreSQL's statistics catch up with those token lookups (an
        # idle backend reports up to 10 s late) before the first measured window opens.
        generate(bench, dict(common, paths=list(paths.values()), duration=60, max_requests=READERS))
        time.sleep(10.5)
        for scope in scopes:
            spec = dict(common, paths=[paths[scope]], duration=bench.args.duration, label=scope)
            with Window(bench, sql=True) as window:
                result = generate(bench, spec)
            add_row(
                bench,
                f"ranking read, scope={scope} ({bench.servers.kind})",
                result,
                window,
                ops=sum(result["ok"].values()),
                kind="ranking",
                note=f"{READERS:,} readers, each seen before (token cached, as after starting an attempt)",
            )
    if stats:
        _statistics_row(bench, comp)
    # Last: it empties the token cache.
    if cold and bench.available.get("leaderboard"):
        # The other case, apart: every read with a token not seen lately (a token-cache miss, whose
        # SQL lookup shows in the SQL column): readers who never started an attempt, or a first read
        # after TOKEN_CACHE_SECONDS. The earlier phases used every seeded token within minutes, so
        # the token cache is emptied first; each token then reads at most once (max_requests).
        forget_cached_tokens(bench)
        spec = {
            "kind": "get",
            "paths": [f"/api/v1/competitions/{comp}/leaderboard/?scope=individual&limit=20"],
            "concurrency": bench.args.concurrency,
            "connections": bench.args.concurrency,
            "duration": bench.args.duration,
            "label": "individual, cold tokens",
            "token_offset": bench.take_users(20000),
            "max_requests": len(bench.seed["participants"]),
        }
        with Window(bench, sql=True) as window:
            result = generate(bench, spec)
            # An idle PostgreSQL backend reports its transactions up to 10 s late: wait, so that
            # this row counts all of its token lookups and the next row none of them.
            time.sleep(10.5)
        add_row(
            bench,
            f"ranking read, scope=individual, every token new ({bench.servers.kind})",
            result,
            window,
            ops=sum(result["ok"].values()),
            kind="ranking_cold",
            note="each read's token seen for the first time: its SQL lookup is the SQL per read",
        )


def _statistics_row(bench, comp: int) -> None:
    """The statistics read, by the seeded admins (a handful of tokens, cached after their first read)."""
    if not bench.available.get("stats"):
        unavailable(
            bench, "organizer statistics read", f"GET stats answered {bench.probe_status.get('stats')}"
        )
        return
    spec = {
        "kind": "get",
        "paths": [f"/api/v1/competitions/{comp}/stats/"],
        "concurrency": bench.args.concurrency,
        "connections": bench.args.concurrency,
        "duration": bench.args.duration,
        "label": "stats",
        "token_key": "admins",
    }
    with Window(bench, sql=True) as window:
        result = generate(bench, spec)
    add_row(
        bench,
        "organizer statistics read (admin)",
        result,
        window,
        ops=sum(result["ok"].values()),
        kind="stats",
    )


def phase_ws(bench) -> None:
    if not bench.available.get("ws"):
        unavailable(bench, "WebSocket fan-out", f"live socket probe: {bench.probe_status.get('ws')}")
        return
    if not bench.available.get("cycle"):
        unavailable(bench, "WebSocket update lag", "no submissions without the attempt endpoints")
        return
    args = bench.args
    comp = bench.seed["competition"]
    cps = bench.sections.get("cycle_cps", {}).get(bench.servers.kind, 20.0)
    probes = 6 if args.quick else 10
    plan = [  # (name, submissions per second, seconds)
        ("quiet (no submissions)", 0.0, 4.0),
        ("isolated submissions", 0.4, probes / 0.4),
        ("low rate", 2.0, args.duration),
        ("high rate", max(round(cps * 0.5), 5.0), args.duration),
    ]
    stop_file = bench.workdir / "ws.stop"
    budget = 120 + sum(seconds + 4 for _n, _r, seconds in plan) + args.dashboards / 20
    spec_path = bench.workdir / "ws-spec.json"
    out_path = bench.workdir / "ws-out.json"
    spec_path.write_text(
        json.dumps(
            {
                "kind": "ws",
                "base_url": bench.base_url,
                "token_file": str(bench.token_file),
                "token_key": "admins",
                "competition": comp,
                "dashboards": args.dashboards,
                "duration": budget,
                "stop_file": str(stop_file),
                "connect_parallelism": 50,
            }
        )
    )
    bench.log(f"connecting {args.dashboards} dashboards")
    connect_start = time.time()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", str(spec_path), str(out_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = watcher.stdout.readline().strip()
    connect_end = time.time()
    bench.log(f"dashboards: {ready or 'no READY line'} in {connect_end - connect_start:.1f} s")
    windows = []
    try:
        time.sleep(2.0)
        for name, rate, seconds in plan:
            with Window(bench) as window:
                if rate == 0:
                    time.sleep(seconds)
                    result = None
                else:
                    spec = {
                        "kind": "cycle_rate",
                        "competition": comp,
                        "rate": rate,
                        "duration": seconds,
                        "token_offset": bench.take_users(int(rate * seconds) + 10),
                    }
                    result = generate(bench, spec)
            windows.append((name, rate, window, result))
            time.sleep(2.5)  # the last coalesced update of the phase arrives before the next begins
    finally:
        stop_file.touch()
        try:
            watcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.wait()
    if not out_path.exists():
        raise BenchError("the dashboard watcher wrote no result")
    watched = json.loads(out_path.read_text())
    closed = set(watched["extra"].get("closed_early", []))
    # A socket the server closed is counted once, as a connection error; its missing updates are not lag.
    logs = [log for index, log in enumerate(watched["extra"]["messages"]) if index not in closed]
    connected = watched["extra"]["connected"]
    connect_row = {
        "name": f"{args.dashboards} dashboards connect (first message)",
        "server": bench.servers.kind,
        "kind": "ws_connect",
        **summarize(watched["latencies"].get("ws_first_message", [])),
        "errors": sum(watched["errors"].values()),
        "error_kinds": watched["errors"],
        "rps": None,
        "note": f"{connected} connected in {connect_end - connect_start:.1f} s (parallelism 50)",
    }
    connect_row["rss_proc"], connect_row["rss_total"] = bench.sampler.peak_rss_mib(
        "servers", connect_start, time.time()
    )
    bench.rows.append(connect_row)
    broadcast_rows = []
    for name, rate, window, result in windows:
        per_socket_rates, lags, missed = [], [], 0
        submissions = [tuple(s) for s in (result or {"extra": {}})["extra"].get("submissions", [])]
        for log in logs:
            if not log:
                continue
            times = [t for t, _a in log]
            per_socket_rates.append(rate_in_window(times, window.start, window.end + 1.5))
            before = [a for t, a in log if t < window.start and a is not None]
            during = [(t, a) for t, a in log if t >= window.start and a is not None]
            if submissions and before:
                lags.extend(update_lags(submissions, during, before[-1]))
                missed += missed_updates(len(submissions), during, before[-1])
        span = window.end - window.start
        achieved = len(submissions) / span if span else 0
        broadcast_rows.append(
            {
                "name": name,
                "target_rate": rate,
                "submissions_per_s": achieved,
                "broadcasts_per_s": sum(per_socket_rates) / len(per_socket_rates)
                if per_socket_rates
                else None,
                "messages_per_s": sum(per_socket_rates) if per_socket_rates else None,
                "redis_per_submission": window.redis_calls / len(submissions) if submissions else None,
                "redis_per_s": window.redis_calls / span if span else None,
                "redis_top": dict(list(window.redis_delta.items())[:6]),
                "lag": summarize([lag * 1000 for lag in lags]),
                "missed": missed,
                "submit": summarize(all_latencies(result, ["submit"])) if result else None,
                "errors": error_count(result) if result else 0,
                "srv_cpu": bench.sampler.cpu_cores("servers", window.start, window.end),
            }
        )
        if lags:
            bench.rows.append(
                {
                    "name": f"update lag, {name} ({achieved:.1f}/s), {connected} dashboards",
                    "server": bench.servers.kind,
                    "kind": "ws_lag",
                    **summarize([lag * 1000 for lag in lags]),
                    "errors": missed,
                    "rps": None,
                    "note": "from pressing submit to the dashboard message that counts it; errors = never counted",
                }
            )
    bench.sections["broadcasts"] = broadcast_rows
    bench.sections["dashboards"] = {
        "requested": args.dashboards,
        "connected": connected,
        "errors": watched["errors"],
        "gen_cpu": watched["cpu_seconds"] / window_seconds(watched),
    }
    for row in broadcast_rows:
        bench.log(
            f"ws {row['name']}: {row['submissions_per_s']:.1f} sub/s -> {row['broadcasts_per_s'] or 0:.2f} "
            f"broadcasts/s per dashboard, lag p99 {row['lag']['p99'] or 0:.0f} ms, missed {row['missed']}"
        )


def phase_crowd(bench) -> None:
    if not bench.available.get("start"):
        unavailable(
            bench, "simulated crowd", f"starting an attempt answered {bench.probe_status.get('start')}"
        )
        return
    args = bench.args
    procs = 2 if args.participants > 4000 else 1
    spec = {
        "kind": "crowd",
        "competition": bench.seed["competition"],
        "participants": args.participants,
        "ramp": args.ramp,
        "think": list(args.think),
        "save_answers": bool(bench.available.get("answer")),
        "connections": 1000 * procs,
        "token_offset": bench.take_users(args.participants + 10),
        "max_seconds": args.ramp + 10 * args.think[1] * 3 + 120,
    }
    bench.log(
        f"crowd: {args.participants} participants over {args.ramp:.0f} s, think {args.think[0]}-{args.think[1]} s"
        + ("" if spec["save_answers"] else " (answers sent with the submission: no per-answer endpoint yet)")
    )
    with Window(bench, sql=True) as window:
        result = generate(bench, spec, procs=procs, timeout=spec["max_seconds"] + 60)
    extra = result["extra"]
    trend = memory_trend(bench, window.start, window.end)
    bench.sections["crowd_memory"] = {
        **trend,
        "what": f"the crowd of {args.participants:,} arriving over {args.ramp:.0f} s",
    }
    add_row(
        bench,
        f"crowd: {args.participants:,} participants over {args.ramp:g} s, think {args.think[0]:g}-{args.think[1]:g} s",
        result,
        window,
        ops=extra.get("finished") or None,
        h=False,
        kind="crowd",
        note=f"{extra.get('finished', 0):,} submitted, peak {extra.get('peak_concurrent', 0):,} at once; "
        f"servers' RSS {trend['first'] or 0:.0f} -> {trend['last'] or 0:.0f} MiB; "
        "p99 target < 300 ms, 0 errors",
    )
    if not spec["save_answers"]:
        bench.notes.append(
            "The crowd saved no answer one at a time: `PUT /api/v1/attempts/{id}/answers/{qid}/` "
            f"answered {bench.probe_status.get('answer')} when probed."
        )


def _py_spy(py_spy: Path, pids: list[int], seconds: int, out_dir: Path, mode: str) -> tuple[list, list[str]]:
    """Record every server process for `seconds`: mode "cpu" samples the thread holding the GIL,
    mode "wall" every thread, waiting ones included. Returns (collapsed stacks, errors)."""
    flags = ["--gil"] if mode == "cpu" else ["--idle"]
    spies, outs = [], []
    for pid in pids:
        out = out_dir / f"pyspy-{mode}-{pid}.txt"
        outs.append(out)
        spies.append(
            subprocess.Popen(
                [
                    str(py_spy),
                    "record",
                    "-p",
                    str(pid),
                    "-d",
                    str(seconds),
                    "-r",
                    "100",
                    "-f",
                    "raw",
                    "-o",
                    str(out),
                    "--nonblocking",
                    *flags,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    errors = []
    for spy in spies:
        _, err = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0:
            errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {spy.returncode}")
    stacks = []
    for out in outs:
        if out.exists():
            stacks.extend(pyspy.parse_collapsed(out.read_text().splitlines()))
    return stacks, errors


def phase_profile(bench) -> None:
    if not bench.available.get("cycle"):
        unavailable(bench, "profile of the submit cycle", "no attempt endpoints")
        return
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        unavailable(bench, "profile of the submit cycle", "py-spy is not installed (make install)")
        return
    seconds = max(int(bench.args.duration), 5)
    spec = {
        "kind": "cycle",
        "competition": bench.seed["competition"],
        "concurrency": bench.args.concurrency,
        "connections": bench.args.concurrency,
        "duration": 2 * seconds + 4,
        "token_offset": bench.take_users(20000),
    }
    spec_path = bench.workdir / "profile-spec.json"
    spec_path.write_text(
        json.dumps({"base_url": bench.base_url, "token_file": str(bench.token_file), **spec})
    )
    load = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", str(spec_path), str(spec_path.with_suffix(".out"))], cwd=ROOT
    )
    try:
        time.sleep(1.0)
        cpu, cpu_errors = _py_spy(py_spy, bench.servers.http_pids, seconds, bench.workdir, "cpu")
        wall, wall_errors = _py_spy(py_spy, bench.servers.http_pids, seconds, bench.workdir, "wall")
    finally:
        load.wait(timeout=2 * seconds + 90)
    if not cpu:
        unavailable(
            bench,
            "profile of the submit cycle",
            f"py-spy recorded nothing ({'; '.join(cpu_errors + wall_errors)})",
        )
        return
    # Wall clock of the request threads only (not the event loop waiting for sockets, not idle pool threads).
    requests = [
        (frames, n) for frames, n in wall if any("dispatch (rest_framework/views.py" in f for f in frames)
    ]
    bench.sections["profile"] = {
        "seconds": seconds,
        "samples": sum(n for _f, n in cpu),
        "packages": pyspy.by_package(cpu)[:14],
        "functions": pyspy.inclusive(cpu, keep=pyspy.interesting)[:30],
        "wall_samples": sum(n for _f, n in requests),
        "wall_packages": pyspy.by_package(requests)[:10],
        "wall_functions": pyspy.inclusive(requests, keep=pyspy.interesting)[:16],
    }
    top = bench.sections["profile"]["packages"][:4]
    bench.log("profile (CPU): " + ", ".join(f"{name} {share * 100:.0f} %" for name, _n, share in top))


def phase_soak(bench) -> None:
    args = bench.args
    if bench.available.get("cycle") and bench.servers.kind not in bench.sections.get("cycle_cps", {}):
        cycle_saturation(bench)  # the soak runs at half of it
    cps = bench.sections.get("cycle_cps", {}).get(bench.servers.kind)
    if cps:
        rate = max(cps * 0.5, 1.0)
        spec = {
            "kind": "cycle_rate",
            "competition": bench.seed["competition"],
            "rate": rate,
            "duration": args.soak,
            "token_offset": bench.take_users(int(rate * args.soak) + 10),
        }
        what = f"start-and-submit at {rate:,.0f} cycles/s (50 % of saturation)"
    else:
        spec = {
            "kind": "get",
            "paths": ["/api/v1/bench/baseline/"],
            "concurrency": 4,
            "connections": 4,
            "duration": args.soak,
            "label": "baseline",
            "token_file": None,
        }
        what = "the baseline with 4 connections (no attempt endpoints yet)"
    bench.log(f"memory soak: {args.soak:.0f} s of {what}")
    with Window(bench) as window:
        result = generate(bench, spec, timeout=args.soak + 120)
    trend = memory_trend(bench, window.start, window.end)
    first, last = trend["first"], trend["last"]
    bench.sections["soak"] = {**trend, "seconds": args.soak, "what": what}
    add_row(
        bench,
        f"memory soak, {args.soak:.0f} s",
        result,
        window,
        h=False,
        kind="soak",
        note=f"servers' RSS {first or 0:.0f} -> {last or 0:.0f} MiB",
    )


def phase_compare(bench) -> None:
    """The other topologies on H, the cycle and a ranking read: same application, same nginx,
    same number of HTTP processes. Runs last: it restarts the servers."""
    for other in [kind for kind in ("hybrid", "daphne", "uvicorn") if kind != bench.args.server]:
        bench.start_servers(other)
        phase_baseline(bench, record_h=True)
        if bench.available.get("cycle"):
            cycle_saturation(bench)
        else:
            unavailable(bench, f"start-and-submit cycle on {other}", "no attempt endpoints")
        if bench.available.get("leaderboard"):
            phase_rankings(bench, scopes=("individual",), stats=False, cold=False)


def phase_scale(bench) -> None:
    """What more application hosts buy: the start-and-submit cycle at saturation through nginx in
    front of 1, 2 … N of the simulated hosts (one PostgreSQL, one Redis throughout)."""
    hosts = len(bench.servers.sets)
    if hosts < 2:
        unavailable(bench, "scaling over application hosts", "run with --hosts 2 or more (and --host-cpu)")
        return
    if not bench.available.get("cycle"):
        unavailable(bench, "scaling over application hosts", "no attempt endpoints")
        return
    args = bench.args
    groups = {group.name.rsplit("-", 1)[1]: group for group in bench.servers.cgroups + bench.cgroups}
    results = []
    # The same load per host whatever their number (16 connections each: every gunicorn thread
    # busy), so a host's CPU per request does not change with the count; warm every host first.
    base = {"kind": "cycle", "competition": bench.seed["competition"], "duration": 4}
    warm = 16 * hosts
    generate(bench, dict(base, concurrency=warm, connections=warm, token_offset=bench.take_users(2000)))
    try:
        for count in range(1, hosts + 1):
            bench.point_nginx(bench.servers.host_http_ports(count))
            spec = dict(base, concurrency=16 * count, connections=16 * count, duration=args.duration)
            generate(bench, dict(spec, duration=2, token_offset=bench.take_users(1000)))  # warm-up
            throttled_before = {name: group.throttling() for name, group in groups.items()}
            with Window(bench, sql=True) as window:
                result = generate(bench, dict(spec, token_offset=bench.take_users(20000)))
            throttled = {}
            for name, group in groups.items():
                periods, hits, _seconds = (
                    a - b for a, b in zip(group.throttling(), throttled_before[name], strict=True)
                )
                throttled[name] = hits / periods if periods else 0.0
            submissions = len(result["extra"].get("submissions", []))
            span = window_seconds(result)
            cps = submissions / span if span else 0.0
            row = add_row(
                bench,
                f"scale: cycle at saturation, {count} host{'s' if count > 1 else ''}",
                result,
                window,
                ops=submissions,
                h=False,
                kind="scale",
                cycles_per_s=cps,
                note=f"{cps:,.1f} cycles/s through nginx in front of {count} of {hosts} hosts",
            )
            cores = {
                group: bench.sampler.cpu_cores(group, window.start, window.end) or 0.0
                for group in ("postgres", "redis", "nginx")
            }
            per_host = [
                bench.sampler.cpu_cores(f"host{number}", window.start, window.end) or 0.0
                for number in range(1, count + 1)
            ]
            results.append(
                {
                    "hosts": count,
                    "rps": row.get("rps") or 0.0,
                    "cps": cps,
                    "p50": row.get("p50"),
                    "p99": row.get("p99"),
                    "errors": row.get("errors", 0),
                    "per_host": per_host,
                    "throttled": [throttled.get(f"host{n}") for n in range(1, count + 1)],
                    "pg_throttled": throttled.get("postgres"),
                    "cores": cores,
                    "gen": row.get("gen_cpu") or 0.0,
                    "cpu_ms": row.get("cpu_ms") or {},
                }
            )
            bench.log(
                f"scale {count} host(s): {cps:.1f} cycles/s, hosts "
                + ", ".join(f"{c:.2f}" for c in per_host)
                + f" cores, PostgreSQL {cores['postgres']:.2f}, Redis {cores['redis']:.2f}"
            )
    finally:
        bench.point_nginx(bench.servers.http_ports)
    bench.sections["scale"] = {
        "rows": results,
        "host_cpu": args.host_cpu,
        "pg_cpu": args.pg_cpu,
        "redis_cpu": args.redis_cpu,
        "processes": args.processes,
    }


PHASES = {
    "baseline": phase_baseline,
    "cycle": phase_cycle,
    "rankings": phase_rankings,
    "ws": phase_ws,
    "crowd": phase_crowd,
    "profile": phase_profile,
    "soak": phase_soak,
    "compare": phase_compare,
    "scale": phase_scale,
}


def run_all(bench) -> None:
    probe(bench)
    sql_census(bench)
    micro(bench)
    for name in bench.args.phases:
        if name != "baseline" and "h" not in bench.sections and "baseline" not in bench.args.phases:
            phase_baseline(bench)
        bench.log(f"--- {name}")
        PHASES[name](bench)
        if not bench.servers.alive():
            raise BenchError(f"a server process died during {name}:\n{bench.servers.log_tail()}")
