"""`make bench`: bring up the recommended production topology on this machine and measure it.

PostgreSQL (a scratch database, dropped at the end), a private Redis on --redis-port, nginx in
front of one HTTP server process per core (gunicorn's threads; or daphne or uvicorn for everything
with --server) and uvicorn for the WebSockets, production settings.
Then, against that one server, in one run: the bare baseline H, the start-and-submit cycle
(saturation, then 70 % of it), ranking reads, the live dashboards' fan-out and lag, a crowd with
think time, a profile of the submit cycle, a memory soak, and the other servers (uvicorn, and
gunicorn's threads for HTTP) on H, the cycle and a ranking read. Prints one table and writes it to
BENCHMARKS.md (between the generated-section markers).

    make bench                       # the default run, about 10 minutes
    make bench BENCH_ARGS=--quick    # a short smoke run (~4 minutes), written to bench/out/quick.md
    make bench BENCH_ARGS="--only crowd,soak --participants 60000 --ramp 1200 --soak 600 --section long"
    make bench BENCH_ARGS="--only scale --hosts 3 --host-cpu 0.4 --pg-cpu 0.3"   # what more hosts buy

--hosts N simulates N application hosts on this machine: N sets of server processes on their own
ports, each in its own CPU cgroup capped at --host-cpu cores, behind one nginx, with one
PostgreSQL and one Redis (capped with --pg-cpu / --redis-cpu to show where they saturate). The
`scale` phase measures the start-and-submit cycle at saturation on 1, 2 … N of them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import phases, report  # noqa: E402
from bench.topology import (  # noqa: E402
    ROOT,
    BenchError,
    CpuCgroup,
    HostSet,
    Nginx,
    Redis,
    Sampler,
    ScratchDatabase,
    ensure_nginx,
)

ALL_PHASES = ["baseline", "cycle", "rankings", "ws", "crowd", "profile", "soak", "compare", "scale"]
# Phases a plain run leaves out: `scale` needs --hosts 2 or more (it is added then).
OPT_IN = {"scale"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short smoke run; writes bench/out/quick.md")
    parser.add_argument("--users", type=int, help="participants seeded (default 20000; quick 3000)")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--participants", type=int, help="simulated crowd (default 1000; quick 300)")
    parser.add_argument(
        "--ramp", type=float, help="seconds over which the crowd arrives (default 90; quick 10)"
    )
    parser.add_argument("--think", default="2,5", help="think time per question, min,max seconds")
    parser.add_argument("--dashboards", type=int, help="connected dashboards K (default 1000; quick 100)")
    parser.add_argument(
        "--soak", type=float, help="memory soak seconds (default 60; quick 15; 600 for the target)"
    )
    parser.add_argument(
        "--duration", type=float, help="seconds per closed-loop measurement (default 12; quick 5)"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop connections")
    parser.add_argument(
        "--server",
        choices=["hybrid", "daphne", "uvicorn"],
        default="hybrid",
        help="primary topology: hybrid = gunicorn threads for HTTP + uvicorn for /ws/ (default), "
        "or one ASGI server for both",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="HTTP processes per host (default: cores with one host, 1 with --hosts 2 or more)",
    )
    parser.add_argument(
        "--hosts", type=int, default=1, help="simulated application hosts (sets of server processes)"
    )
    parser.add_argument(
        "--host-cpu", type=float, metavar="CORES", help="cap each host's processes at CORES (cgroup)"
    )
    parser.add_argument(
        "--pg-cpu",
        type=float,
        metavar="CORES",
        help="cap the scratch database's PostgreSQL backends at CORES (cgroup; the rest of the "
        "server is left alone)",
    )
    parser.add_argument("--redis-cpu", type=float, metavar="CORES", help="cap the private Redis at CORES")
    parser.add_argument(
        "--ws-processes", type=int, default=1, help="uvicorn processes for /ws/ in the hybrid topology"
    )
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8090, help="nginx's port on 127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8101, help="first ASGI server port")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--db-name", default="quiz_bench_run")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(ALL_PHASES)}")
    parser.add_argument("--skip", default="", help="comma-separated phases to leave out")
    parser.add_argument(
        "--db-pool",
        type=int,
        default=10,
        metavar="N",
        help="DB_POOL_MAX_SIZE per ASGI process (default 10; 0 = a connection per request)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the ASGI processes (e.g. DB_CONN_MAX_AGE=0), repeatable",
    )
    parser.add_argument("--output", help="report file (default BENCHMARKS.md; quick: bench/out/quick.md)")
    parser.add_argument(
        "--section",
        default="main",
        help="which generated section of the report file to replace (e.g. long for the long targets)",
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the scratch database and the work directory (logs, raw results)",
    )
    parser.add_argument("--label", default="", help="a note printed with the results (what this run changes)")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "users": 3000 if quick else 20000,
        "participants": 300 if quick else 1000,
        "ramp": 10.0 if quick else 90.0,
        "dashboards": 100 if quick else 1000,
        "soak": 15.0 if quick else 60.0,
        "duration": 5.0 if quick else 12.0,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    low, high = (float(x) for x in args.think.split(","))
    args.think = (low, high)
    args.users = max(args.users, args.participants + 100)
    if args.hosts < 1 or args.hosts > 9:
        parser.error("--hosts is 1 to 9")
    if args.processes is None:
        args.processes = (os.cpu_count() or 2) if args.hosts == 1 else 1
    default = [p for p in ALL_PHASES if p not in OPT_IN or (p == "scale" and args.hosts > 1)]
    chosen = args.only.split(",") if args.only else default
    skipped = set(filter(None, args.skip.split(",")))
    unknown = (set(chosen) | skipped) - set(ALL_PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    args.phases = [p for p in ALL_PHASES if p in chosen and p not in skipped]
    if args.output is None:
        partial = quick or (args.only and args.section == "main")
        args.output = str(ROOT / ("bench/out/quick.md" if partial else "BENCHMARKS.md"))
    return args


class Bench:
    """The run's topology and context; phases.py measures, report.py writes."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="quiz-bench-"))
        self.base_url = f"http://127.0.0.1:{args.port}"
        self.db = ScratchDatabase(args.db_name)
        self.redis = Redis(args.redis_port, self.workdir)
        self.sampler = Sampler()
        self.servers: HostSet | None = None
        self.cgroups: list[CpuCgroup] = []
        self.nginx: Nginx | None = None
        self.token_file = self.workdir / "tokens.json"
        self.seed: dict = {}
        self.available: dict[str, bool] = {}
        self.unavailable: list[str] = []
        self.rows: list[dict] = []
        self.sections: dict = {}
        self.notes: list[str] = []
        self.user_offset = 0
        # Host h's HTTP processes listen on base_port + 100 h + i; the /ws/ processes on base_port + 50 + i.
        self.host_ports = [
            [args.base_port + 100 * host + i for i in range(args.processes)] for host in range(args.hosts)
        ]
        self.ports = self.host_ports[0]
        self.ws_ports = [args.base_port + 50 + i for i in range(args.ws_processes)]
        self.nginx_binary = ""
        self.started_at = time.time()
        self.start_load = os.getloadavg()[0]
        extra = dict(item.split("=", 1) for item in args.server_env)
        self.server_env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
            },
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": self.db.url,
            "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: in production TLS ends at nginx and SSL redirect stays on.
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DB_POOL_MAX_SIZE": str(args.db_pool),
            "BENCH_ROUTES": "1",  # serve /api/v1/bench/baseline/ (the floor H)
            **extra,
        }

    # --- lifecycle -----------------------------------------------------------------------------
    def log(self, message: str) -> None:
        print(f"[bench {time.time() - self.started_at:6.1f}s] {message}", flush=True)

    def manage(self, *argv: str, timeout: float = 900) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=ROOT, env=self.server_env, check=True, timeout=timeout
        )

    def setup(self) -> None:
        args = self.args
        self.raise_file_limit()
        if (args.host_cpu or args.pg_cpu or args.redis_cpu) and not CpuCgroup.available():
            raise BenchError(f"--host-cpu/--pg-cpu/--redis-cpu need a writable {CpuCgroup.ROOT} (root)")
        if CpuCgroup.available():
            for name in CpuCgroup.sweep():
                self.log(f"removed the CPU cgroup {name} of an earlier, interrupted run")
        self.nginx_binary = ensure_nginx()
        self.log(f"scratch database {self.db.name} on 127.0.0.1:5432")
        self.db.create()
        self.log("migrating (production settings)")
        self.manage("migrate", "--noinput", "-v0")
        self.log(f"seeding {args.users} users, {args.questions} questions (bulk)")
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.seed",
                "--users",
                str(args.users),
                "--questions",
                str(args.questions),
                "--admins",
                "20",
                "--out",
                str(self.token_file),
            ],
            cwd=ROOT,
            env=self.server_env,
            check=True,
            timeout=900,
        )
        self.seed = json.loads(self.token_file.read_text())
        self.seed_seconds = time.perf_counter() - started
        self.log(f"redis-server on 127.0.0.1:{args.redis_port}")
        self.redis.start()
        if args.redis_cpu:
            group = CpuCgroup("redis", args.redis_cpu).create()
            self.cgroups.append(group)
            group.add([self.redis.pid])
            self.log(f"Redis capped at {args.redis_cpu:g} cores")
        if args.pg_cpu:
            # Only the scratch database's backends, moved as the sampler sees them; the postmaster
            # and every other database's backends stay where they are.
            group = CpuCgroup("postgres", args.pg_cpu).create()
            self.cgroups.append(group)
            self.sampler.on_new_backends = group.add
            self.log(f"PostgreSQL backends of {self.db.name} capped at {args.pg_cpu:g} cores")
        self.sampler.start()
        self.sampler.watch("redis", [self.redis.pid])
        self.sampler.backend_pids = self.db.backends
        self.start_servers(args.server)

    def raise_file_limit(self) -> None:
        """Thousands of sockets (the crowd's connections, nginx, the dashboards): lift the soft
        limit on open files to the hard one for this process and its children."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
        if soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        self.file_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if self.file_limit < 8192:
            self.log(f"warning: only {self.file_limit} open files allowed (ulimit -n): large crowds may fail")

    def start_servers(self, kind: str) -> None:
        """(Re)start the server processes of a topology and nginx in front of them."""
        if self.nginx is not None:
            self.sampler.unwatch("nginx")
            self.nginx.stop()
        if self.servers is not None:
            self.sampler.unwatch("servers")
            for number in range(1, len(self.servers.sets) + 1):
                self.sampler.unwatch(f"host{number}")
            self.servers.stop()
        self.servers = HostSet(
            kind, self.host_ports, self.ws_ports, self.server_env, self.workdir, cpu=self.args.host_cpu
        )
        self.log(f"starting {self.servers.describe()}")
        self.servers.start()
        if kind == self.args.server:
            self.topology = self.servers.describe()
        self.sampler.watch("servers", self.servers.pids)
        for index in range(len(self.servers.sets)):
            self.sampler.watch(f"host{index + 1}", self.servers.host_pids(index))
        self.nginx = None
        self.point_nginx(self.servers.http_ports)

    def point_nginx(self, http_ports: list[int]) -> None:
        """(Re)start nginx in front of these HTTP ports (the scale phase narrows it to k hosts)."""
        if self.nginx is not None:
            self.sampler.unwatch("nginx")
            self.nginx.stop()
        self.nginx = Nginx(
            self.nginx_binary,
            self.args.port,
            http_ports,
            self.workdir,
            workers=self.args.nginx_workers,
            ws_ports=self.servers.ws_ports,
        )
        self.nginx.start()
        self.sampler.watch("nginx", self.nginx.pids)
        self.log(f"nginx on {self.base_url} → {', '.join(map(str, http_ports))}")

    def teardown(self) -> None:
        self.sampler.stop()
        for name, action in [
            ("nginx", lambda: self.nginx and self.nginx.stop()),
            ("servers", lambda: self.servers and self.servers.stop()),
            ("redis", self.redis.stop),
            ("CPU cgroups", self.remove_cgroups),
        ]:
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - tear down the rest whatever happens
                print(f"[bench] stopping {name} failed: {exc}", file=sys.stderr)
        if not self.args.keep:
            try:
                self.db.drop()
            except Exception as exc:  # noqa: BLE001
                print(f"[bench] dropping {self.db.name} failed: {exc}", file=sys.stderr)
            shutil.rmtree(self.workdir, ignore_errors=True)

    def remove_cgroups(self) -> None:
        """The PostgreSQL backends go back to the root group with the rest of the server."""
        self.sampler.on_new_backends = None
        for group in self.cgroups:
            group.remove()
        self.cgroups = []

    def take_users(self, count: int) -> int:
        """A fresh slice of the seeded participants (round robin), so throttles and quotas stay clear."""
        offset = self.user_offset
        self.user_offset = (self.user_offset + count) % len(self.seed["participants"])
        return offset


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    failed = None
    try:
        bench.setup()
        phases.run_all(bench)
    except KeyboardInterrupt:
        failed = "interrupted"
    except (BenchError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        failed = str(exc)
        if bench.servers is not None:
            print(bench.servers.log_tail(), file=sys.stderr)
    finally:
        # A second Ctrl-C must not leave servers, cgroups or the scratch database behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.log("tearing down (nginx, servers, redis, CPU cgroups, scratch database)")
        bench.teardown()
    text = report.render(bench, failed=failed)
    print(text)
    if not args.no_write and bench.rows:
        report.write(Path(args.output), text, section=args.section)
        bench.log(f"written to {args.output}")
    if failed:
        print(f"bench failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
