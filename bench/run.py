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
    make bench BENCH_ARGS="--only crowd,soak --participants 10000 --ramp 600 --soak 600"
"""

from __future__ import annotations

import argparse
import json
import os
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
    Nginx,
    Redis,
    Sampler,
    ScratchDatabase,
    ServerSet,
    ensure_nginx,
)

ALL_PHASES = ["baseline", "cycle", "rankings", "ws", "crowd", "profile", "soak", "compare"]


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
        "--processes", type=int, default=os.cpu_count() or 2, help="HTTP processes (default: cores)"
    )
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
    chosen = args.only.split(",") if args.only else list(ALL_PHASES)
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
        self.servers: ServerSet | None = None
        self.nginx: Nginx | None = None
        self.token_file = self.workdir / "tokens.json"
        self.seed: dict = {}
        self.available: dict[str, bool] = {}
        self.unavailable: list[str] = []
        self.rows: list[dict] = []
        self.sections: dict = {}
        self.notes: list[str] = []
        self.user_offset = 0
        self.ports = [args.base_port + i for i in range(args.processes)]
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
        self.sampler.start()
        self.sampler.watch("redis", [self.redis.pid])
        self.sampler.backend_pids = self.db.backends
        self.start_servers(args.server)

    def start_servers(self, kind: str) -> None:
        """(Re)start the server processes of a topology and nginx in front of them."""
        if self.nginx is not None:
            self.sampler.unwatch("nginx")
            self.nginx.stop()
        if self.servers is not None:
            self.sampler.unwatch("servers")
            self.servers.stop()
        self.servers = ServerSet(kind, self.ports, self.ws_ports, self.server_env, self.workdir)
        self.log(f"starting {self.servers.describe()}")
        self.servers.start()
        if kind == self.args.server:
            self.topology = self.servers.describe()
        self.sampler.watch("servers", self.servers.pids)
        self.nginx = Nginx(
            self.nginx_binary,
            self.args.port,
            self.servers.http_ports,
            self.workdir,
            workers=self.args.nginx_workers,
            ws_ports=self.servers.ws_ports,
        )
        self.nginx.start()
        self.sampler.watch("nginx", self.nginx.pids)
        self.log(f"nginx on {self.base_url}")

    def teardown(self) -> None:
        self.sampler.stop()
        for name, action in [
            ("nginx", lambda: self.nginx and self.nginx.stop()),
            ("servers", lambda: self.servers and self.servers.stop()),
            ("redis", self.redis.stop),
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
        bench.log("tearing down (nginx, servers, redis, scratch database)")
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
