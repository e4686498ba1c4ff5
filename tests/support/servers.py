"""Real server processes for the tests: daphne on free ports against the test's PostgreSQL database
and Redis, and private redis-servers of the test's own (never the shared 6379).

One launcher for every folder (leaderboard, reliability, security), so a fix to how a server is
started, awaited or stopped reaches them all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SERVER_APPLICATION_NAME = "quiz-test-daphne"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server process that sees the test's committed data and Redis keys."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    url = f"postgres://{user}{password}@{host}:{port}/{db['NAME']}?application_name={SERVER_APPLICATION_NAME}"
    run = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "LEADERBOARD_KEY_PREFIX": settings.LEADERBOARD_KEY_PREFIX,
        "CACHE_PREFIX": f"cache-{run}",
        "LIVE_BROADCAST_INTERVAL_SECONDS": str(settings.LIVE_BROADCAST_INTERVAL_SECONDS),
        "LIVE_POLL_SECONDS": str(settings.LIVE_POLL_SECONDS),
        "LEADERBOARD_CATCH_UP_SECONDS": "1",
        "SERVE_STATIC": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class Daphne:
    """One `daphne config.asgi:application` process on a free port; `kill()` is a SIGKILL."""

    def __init__(self, env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.env = env or server_env()
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Daphne:
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/api/v1/health/", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not answer within 60 s")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, open requests and database sessions cut."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()


@contextlib.contextmanager
def daphne(env: dict[str, str] | None = None, log_path: Path | None = None) -> Iterator[Daphne]:
    """A started Daphne (`.url` is its base URL), stopped afterwards once its sessions have ended."""
    server = Daphne(env, log_path).start()
    try:
        yield server
    finally:
        server.stop()
        wait_for_server_sessions_to_end()


def wait_for_server_sessions_to_end(timeout: float = 10.0) -> None:
    """PostgreSQL ends a dead client's backend a moment later; the test database is dropped after us."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server_backends():
            return
        time.sleep(0.1)


def server_backends(*, waiting_on_lock: bool = False) -> list[int]:
    """Process ids of the database sessions of the test's daphne processes (optionally: blocked on a lock)."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
    if waiting_on_lock:
        sql += " AND wait_event_type = 'Lock'"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cursor.execute(sql, [SERVER_APPLICATION_NAME])
        return [row[0] for row in cursor.fetchall()]


def terminate_backends(pids: list[int]) -> int:
    """`pg_terminate_backend` each of them, from the test's own connection; how many were ended."""
    ended = 0
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            ended += bool(cursor.fetchone()[0])
    return ended


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


class PrivateRedis:
    """A redis-server of the test's own, without persistence: a restart comes back empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
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
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A started PrivateRedis, stopped afterwards."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
