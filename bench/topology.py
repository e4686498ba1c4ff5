"""The production topology of the benchmark, brought up and torn down by bench/run.py.

A scratch PostgreSQL database, a private Redis, N ASGI server processes (daphne or uvicorn),
nginx in front, and a sampler of the processes' memory and CPU from /proc.
Every process started here is stopped here, by its own pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


class BenchError(RuntimeError):
    """Something the benchmark needs is missing or did not come up; the message says what."""


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_http(url: str, timeout: float, expect: int = 200) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == expect:
                    return
                last = response.status
        except Exception as exc:  # noqa: BLE001 - any failure means "not up yet"
            last = exc
        time.sleep(0.2)
    raise BenchError(f"{url} did not answer {expect} within {timeout:.0f} s (last: {last})")


def read_proc_stat(pid: int) -> tuple[float, int] | None:
    """(CPU seconds used, RSS in KiB) of a live process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # After the command name: state is fields[0]; utime, stime are stat fields 14, 15; rss is 24.
    utime, stime, rss_pages = int(fields[11]), int(fields[12]), int(fields[21])
    return (utime + stime) / CLOCK_TICKS, rss_pages * PAGE_KB


def children_of(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def ensure_nginx() -> str:
    """The nginx binary; installed from Debian's packages when missing (the machine runs as root)."""
    found = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if found:
        return found
    print("nginx is missing: installing it from Debian's packages (apt-get install -y nginx)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    # policy-rc.d 101 keeps the package's own service from starting on port 80.
    policy = Path("/usr/sbin/policy-rc.d")
    created_policy = not policy.exists()
    if created_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)
    finally:
        if created_policy:
            policy.unlink()
    return shutil.which("nginx") or "/usr/sbin/nginx"


class CpuCgroup:
    """A cgroup (v1 cpu controller) whose processes share at most `cores` CPUs (CFS quota).

    Simulates a smaller machine on this one: an application "host" of bench/run.py --hosts, or
    PostgreSQL's backends of the scratch database (--pg-cpu). Created here, removed here: `remove`
    moves whatever is left back to the root group first (a backend of the shared PostgreSQL goes
    back where it came from). Names carry the bench's pid, so `sweep` can remove the groups of a
    run that was killed.
    """

    ROOT = Path("/sys/fs/cgroup/cpu")
    PREFIX = "quiz-bench-"

    def __init__(self, label: str, cores: float) -> None:
        self.name = f"{self.PREFIX}{os.getpid()}-{label}"
        self.path = self.ROOT / self.name
        self.cores = cores
        self.period = 100000

    @classmethod
    def available(cls) -> bool:
        return (cls.ROOT / "cpu.cfs_quota_us").exists() and os.access(cls.ROOT / "cgroup.procs", os.W_OK)

    @classmethod
    def sweep(cls) -> list[str]:
        """Remove the groups of earlier runs whose bench process is gone; their names."""
        removed = []
        if not cls.ROOT.exists():
            return removed
        for path in cls.ROOT.glob(f"{cls.PREFIX}*"):
            try:
                owner = int(path.name[len(cls.PREFIX) :].split("-", 1)[0])
            except ValueError:
                continue
            if owner != os.getpid() and not Path(f"/proc/{owner}").exists():
                cls._empty_and_remove(path)
                removed.append(path.name)
        return removed

    def create(self) -> CpuCgroup:
        if not self.available():
            raise BenchError(
                f"CPU caps need the cgroup v1 cpu controller, writable, at {self.ROOT} (run as root)"
            )
        self.path.mkdir(exist_ok=True)
        self.period = int((self.path / "cpu.cfs_period_us").read_text())
        (self.path / "cpu.cfs_quota_us").write_text(str(max(int(self.cores * self.period), 1000)))
        return self

    def add(self, pids) -> None:
        for pid in pids:
            try:
                (self.path / "cgroup.procs").write_text(str(pid))
            except (ProcessLookupError, FileNotFoundError, OSError):
                continue  # gone already

    def pids(self) -> list[int]:
        try:
            return [int(x) for x in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def throttling(self) -> tuple[int, int, float]:
        """(periods, throttled periods, throttled seconds) so far."""
        try:
            stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
        except OSError:
            return 0, 0, 0.0
        return int(stat["nr_periods"]), int(stat["nr_throttled"]), int(stat["throttled_time"]) / 1e9

    def remove(self) -> None:
        self._empty_and_remove(self.path)

    @classmethod
    def _empty_and_remove(cls, path: Path) -> None:
        for _ in range(5):
            try:
                pids = (path / "cgroup.procs").read_text().split()
            except OSError:
                return
            for pid in pids:
                try:
                    (cls.ROOT / "cgroup.procs").write_text(pid)
                except OSError:
                    pass
            try:
                path.rmdir()
                return
            except OSError:
                time.sleep(0.2)


@dataclass
class Redis:
    port: int
    workdir: Path
    pid: int | None = None

    def start(self) -> None:
        if not port_is_free(self.port):
            raise BenchError(
                f"port {self.port} is taken: a Redis left over from an interrupted run? "
                f"Stop it with `redis-cli -p {self.port} shutdown nosave`, or pass --redis-port."
            )
        pidfile = self.workdir / "redis.pid"
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--logfile",
                str(self.workdir / "redis.log"),
                "--dir",
                str(self.workdir),
                "--maxclients",
                "10000",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if pidfile.exists() and pidfile.read_text().strip():
                self.pid = int(pidfile.read_text().strip())
                if (
                    subprocess.run(
                        ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                    ).stdout.strip()
                    == b"PONG"
                ):
                    return
            time.sleep(0.1)
        raise BenchError(f"redis-server on port {self.port} did not start (see {self.workdir / 'redis.log'})")

    def stop(self) -> None:
        if self.pid is None:
            return
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=10
        )
        _wait_gone(self.pid, 5)
        self.pid = None


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass
class ScratchDatabase:
    """A database on the local PostgreSQL, created for one run and dropped after it."""

    name: str
    admin_dsn: str = "postgresql://postgres@127.0.0.1:5432/postgres"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def _execute(self, sql: str) -> list:
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def create(self) -> None:
        if not self.name.startswith("quiz_bench"):
            raise BenchError("the scratch database's name must start with quiz_bench")
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')
        # Django sets UTC on each new connection unless the database already uses it: one
        # statement less per connection.
        self._execute(f"ALTER DATABASE \"{self.name}\" SET timezone TO 'UTC'")

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def transactions(self) -> int:
        """Committed plus rolled-back transactions so far (each autocommit statement is one)."""
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            row = conn.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [self.name]
            ).fetchone()
        return int(row[0]) if row else 0

    def backends(self) -> list[int]:
        """Process ids of the PostgreSQL backends connected to the scratch database."""
        rows = self._execute(f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.name}'")
        return [int(row[0]) for row in rows]


@dataclass
class AppServers:
    """One ASGI server process per port; `kind` is daphne or uvicorn."""

    kind: str
    ports: list[int]
    env: dict
    workdir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def command(self, port: int) -> list[str]:
        if self.kind == "daphne":
            return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
        if self.kind == "uvicorn":
            return [
                str(BIN / "uvicorn"),
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--no-access-log",
                "--log-level",
                "warning",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--ws",
                "websockets",
            ]
        if self.kind == "gunicorn":
            # HTTP only (WSGI): one process with a pool of threads per port, the same shape as the
            # ASGI servers, so nginx and the load are unchanged.
            return [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                # --server-env GUNICORN_THREADS=N tries another thread count (docs/deployment.md: 16).
                self.env.get("GUNICORN_THREADS", "16"),
                "--keep-alive",
                "75",
                "--log-level",
                "warning",
            ]
        raise BenchError(f"unknown server {self.kind!r}")

    def start(self) -> None:
        for port in self.ports:
            if not port_is_free(port):
                raise BenchError(f"port {port} is taken; pass another --base-port")
        for port in self.ports:
            log = open(self.workdir / f"{self.kind}-{port}.log", "ab")  # noqa: SIM115 - closed with the process
            self.procs.append(
                subprocess.Popen(
                    self.command(port), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        try:
            for port in self.ports:
                wait_http(f"http://127.0.0.1:{port}/api/v1/health/", timeout=60)
        except BenchError as exc:
            tail = self.log_tail()
            self.stop()
            raise BenchError(f"{exc}\n--- server log ---\n{tail}") from exc

    @property
    def pids(self) -> list[int]:
        """Every server process: gunicorn's master and the worker it forked, the others themselves."""
        return [pid for proc in self.procs for pid in (proc.pid, *children_of(proc.pid))]

    def log_tail(self, lines: int = 30) -> str:
        chunks = []
        for port in self.ports:
            path = self.workdir / f"{self.kind}-{port}.log"
            if path.exists():
                chunks.append(
                    f"[{path.name}]\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                )
        return "\n".join(chunks)

    def alive(self) -> bool:
        return all(proc.poll() is None for proc in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs = []


class ServerSet:
    """What nginx balances over: one kind for everything (daphne, uvicorn), or "hybrid": gunicorn's
    threads for HTTP, one process per core, and uvicorn for the WebSockets."""

    def __init__(
        self, kind: str, http_ports: list[int], ws_ports: list[int], env: dict, workdir: Path
    ) -> None:
        self.kind = kind
        if kind == "hybrid":
            self.parts = [
                AppServers("gunicorn", http_ports, env, workdir),
                AppServers("uvicorn", ws_ports, env, workdir),
            ]
            self.http_ports, self.ws_ports = http_ports, ws_ports
        else:
            self.parts = [AppServers(kind, http_ports, env, workdir)]
            self.http_ports = self.ws_ports = http_ports

    def start(self) -> None:
        started = []
        try:
            for part in self.parts:
                part.start()
                started.append(part)
        except BenchError:
            for part in started:
                part.stop()
            raise

    def stop(self) -> None:
        for part in self.parts:
            part.stop()

    @property
    def pids(self) -> list[int]:
        return [pid for part in self.parts for pid in part.pids]

    @property
    def http_pids(self) -> list[int]:
        """The processes that serve HTTP (what a profile of the submit cycle looks at)."""
        return self.parts[0].pids

    def alive(self) -> bool:
        return all(part.alive() for part in self.parts)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(part.log_tail(lines) for part in self.parts)

    def describe(self) -> str:
        if self.kind == "hybrid":
            return (
                f"HTTP: {len(self.http_ports)} × gunicorn (gthread, {self.parts[0].env.get('GUNICORN_THREADS', '16')} threads) on {', '.join(map(str, self.http_ports))}; "
                f"/ws/: {len(self.ws_ports)} × uvicorn on {', '.join(map(str, self.ws_ports))}"
            )
        return (
            f"{len(self.http_ports)} × {self.kind} on {', '.join(map(str, self.http_ports))} (HTTP and /ws/)"
        )


class HostSet:
    """The application hosts: `len(host_ports)` sets of server processes on their own ports, the
    first serving HTTP and /ws/, the others HTTP (bench/run.py --hosts). With `cpu`, each set runs
    in its own CPU cgroup capped at that many cores: a smaller machine simulated on this one."""

    def __init__(
        self,
        kind: str,
        host_ports: list[list[int]],
        ws_ports: list[int],
        env: dict,
        workdir: Path,
        cpu: float | None = None,
    ) -> None:
        self.kind = kind
        self.cpu = cpu
        self.sets = [ServerSet(kind, host_ports[0], ws_ports, env, workdir)] + [
            ServerSet(kind, ports, [], env, workdir) for ports in host_ports[1:]
        ]
        self.cgroups: list[CpuCgroup] = []

    def start(self) -> None:
        started = []
        try:
            for number, server_set in enumerate(self.sets, start=1):
                server_set.start()
                started.append(server_set)
                if self.cpu:
                    # After start-up (uncapped, so it is quick): the master and the workers it forked.
                    group = CpuCgroup(f"host{number}", self.cpu).create()
                    self.cgroups.append(group)
                    group.add(server_set.pids)
        except BaseException:
            for server_set in started:
                server_set.stop()
            self._remove_cgroups()
            raise

    def stop(self) -> None:
        for server_set in self.sets:
            server_set.stop()
        self._remove_cgroups()

    def _remove_cgroups(self) -> None:
        for group in self.cgroups:
            group.remove()
        self.cgroups = []

    @property
    def http_ports(self) -> list[int]:
        return [port for server_set in self.sets for port in server_set.http_ports]

    @property
    def ws_ports(self) -> list[int]:
        return self.sets[0].ws_ports

    def host_http_ports(self, count: int) -> list[int]:
        """The HTTP ports of the first `count` hosts."""
        return [port for server_set in self.sets[:count] for port in server_set.http_ports]

    def host_pids(self, index: int) -> list[int]:
        return self.sets[index].pids

    @property
    def pids(self) -> list[int]:
        return [pid for server_set in self.sets for pid in server_set.pids]

    @property
    def http_pids(self) -> list[int]:
        return [pid for server_set in self.sets for pid in server_set.http_pids]

    def alive(self) -> bool:
        return all(server_set.alive() for server_set in self.sets)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(server_set.log_tail(lines) for server_set in self.sets)

    def describe(self) -> str:
        first = self.sets[0].describe()
        if len(self.sets) == 1 and not self.cpu:
            return first
        cap = f", each capped at {self.cpu:g} cores (cgroup)" if self.cpu else ""
        others = "; ".join(
            f"host {number}: {', '.join(map(str, server_set.http_ports))}"
            for number, server_set in enumerate(self.sets[1:], start=2)
        )
        return f"{len(self.sets)} application hosts{cap}: host 1: {first}" + (
            f"; {others} (HTTP)" if others else ""
        )


@dataclass
class Nginx:
    binary: str
    port: int
    upstream_ports: list[int]
    workdir: Path
    workers: int = 1
    ws_ports: list[int] | None = None
    proc: subprocess.Popen | None = None

    def render(self) -> Path:
        prefix = self.workdir / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in self.upstream_ports)
        ws_upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=0;" for port in self.ws_ports or self.upstream_ports
        )
        text = (Path(__file__).parent / "nginx.conf.template").read_text()
        for key, value in {
            "@@WORKERS@@": str(self.workers),
            "@@PREFIX@@": str(prefix),
            "@@UPSTREAMS@@": upstreams,
            "@@WS_UPSTREAMS@@": ws_upstreams,
            "@@PORT@@": str(self.port),
            "@@STATIC@@": str(ROOT / "staticfiles"),
        }.items():
            text = text.replace(key, value)
        conf = prefix / "nginx.conf"
        conf.write_text(text)
        return conf

    def start(self) -> None:
        if not port_is_free(self.port):
            raise BenchError(f"port {self.port} is taken; pass another --port")
        conf = self.render()
        test = subprocess.run(
            [self.binary, "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True
        )
        if test.returncode != 0:
            raise BenchError(f"nginx rejected its generated configuration:\n{test.stderr}")
        log = open(self.workdir / "nginx.out", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [self.binary, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"http://127.0.0.1:{self.port}/api/v1/health/", timeout=30)

    @property
    def pids(self) -> list[int]:
        """The master and its workers."""
        return [] if self.proc is None else [self.proc.pid, *children_of(self.proc.pid)]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


class Sampler(threading.Thread):
    """Samples RSS (KiB) and CPU seconds of watched processes every `interval` seconds."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.groups: dict[str, list[int]] = {}
        self.samples: list[tuple[float, str, int, float, int]] = []  # (t, group, pid, cpu_s, rss_kib)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        # PostgreSQL connections of the scratch database, polled once a second when set.
        self.backend_pids = None
        self.backends: list[tuple[float, int]] = []
        # Called with the backends seen for the first time (bench/run.py --pg-cpu caps them).
        self.on_new_backends = None

    def watch(self, group: str, pids: list[int]) -> None:
        with self._lock:
            self.groups[group] = list(pids)

    def unwatch(self, group: str) -> None:
        with self._lock:
            self.groups.pop(group, None)

    def sample_once(self) -> None:
        now = time.time()
        with self._lock:
            groups = {name: list(pids) for name, pids in self.groups.items()}
        rows = []
        for name, pids in groups.items():
            for pid in pids:
                stat = read_proc_stat(pid)
                if stat is not None:
                    rows.append((now, name, pid, stat[0], stat[1]))
        with self._lock:
            self.samples.extend(rows)

    def run(self) -> None:
        last_backends = 0.0
        while not self._stop.is_set():
            self.sample_once()
            if self.backend_pids is not None and time.time() - last_backends >= 1.0:
                last_backends = time.time()
                try:
                    pids = self.backend_pids()
                except Exception:  # noqa: BLE001 - a missed reading is no reason to stop sampling
                    pids = None
                if pids is not None:
                    with self._lock:
                        self.backends.append((last_backends, len(pids)))
                        # Pooled backends live long enough to be sampled; a backend that lives for one
                        # request only is partly missed, so PostgreSQL's CPU is a lower bound then.
                        known = set(self.groups.get("postgres", []))
                        alive = [pid for pid in known if os.path.exists(f"/proc/{pid}")]
                        new = [pid for pid in pids if pid not in known]
                        self.groups["postgres"] = alive + new
                    if new and self.on_new_backends is not None:
                        self.on_new_backends(new)
            self._stop.wait(self.interval)

    def peak_backends(self, start: float, end: float) -> int | None:
        with self._lock:
            counts = [n for t, n in self.backends if start <= t <= end]
        return max(counts) if counts else None

    def stop(self) -> None:
        self._stop.set()

    def window(self, group: str, start: float, end: float) -> list[tuple[float, str, int, float, int]]:
        with self._lock:
            return [s for s in self.samples if s[1] == group and start <= s[0] <= end]

    def peak_rss_mib(self, group: str, start: float, end: float) -> tuple[float | None, float | None]:
        """(largest single process, largest sum over the group at one instant) in MiB."""
        rows = self.window(group, start, end)
        if not rows:
            return None, None
        per_instant: dict[float, int] = {}
        for t, _g, _pid, _cpu, rss in rows:
            per_instant[t] = per_instant.get(t, 0) + rss
        return max(r[4] for r in rows) / 1024, max(per_instant.values()) / 1024

    def cpu_cores(self, group: str, start: float, end: float) -> float | None:
        """Average cores used by the group over the window (CPU seconds / wall seconds)."""
        rows = self.window(group, start, end)
        if not rows:
            return None
        first: dict[int, tuple[float, float]] = {}
        last: dict[int, tuple[float, float]] = {}
        for t, _g, pid, cpu, _rss in rows:
            first.setdefault(pid, (t, cpu))
            last[pid] = (t, cpu)
        used = sum(last[pid][1] - first[pid][1] for pid in last)
        span = max(t for t, _ in last.values()) - min(t for t, _ in first.values())
        return used / span if span > 0 else None

    def rss_series_mib(self, group: str, start: float, end: float) -> list[tuple[float, float]]:
        per_instant: dict[float, int] = {}
        for t, _g, _pid, _cpu, rss in self.window(group, start, end):
            per_instant[t] = per_instant.get(t, 0) + rss
        return sorted((t, kib / 1024) for t, kib in per_instant.items())
