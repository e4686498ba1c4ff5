"""Fault injection for the reliability tests: a private Redis, daphne processes that can be killed,
participants driven through the public API, and the invariants every fault run must keep.

Every server here is the test's own: a redis-server on a free port (never the shared 6379) and
daphne processes on free ports against the test's PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django.db import connection
from django.db.models import Count, Sum
from rest_framework.authtoken.models import Token

from quiz.models import Attempt, Participation
from tests.leaderboard.servers import SERVER_APPLICATION_NAME, PrivateRedis, free_port, server_env

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
    server = Daphne(env, log_path).start()
    try:
        yield server
    finally:
        server.stop()
        wait_for_server_sessions_to_end()


def wait_for_server_sessions_to_end(timeout: float = 10.0) -> None:
    """PostgreSQL ends a dead client's backend a moment later; the test database is dropped after us."""
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


# --- participants through the public API ---------------------------------------------------------


def token_of(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def api(base: str, token: str, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=timeout)


def answers_for(attempt: dict, correct: int) -> list[dict]:
    """Answers to an attempt payload: the first `correct` questions right.

    The payload never says what is right; the test banks make B right for every single-choice
    question (tests/quiz/factories.py), and options are not shuffled there."""
    return [
        {"question": q["id"], "selected": ["B"] if index < correct else ["A"]}
        for index, q in enumerate(attempt["questions"])
    ]


@dataclass
class Ledger:
    """What the clients were told: every accepted submission (attempt id -> score)."""

    accepted: dict[int, int] = field(default_factory=dict)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def accept(self, body: dict) -> None:
        assert body["status"] == "submitted"
        previous = self.accepted.setdefault(body["id"], body["score"])
        assert previous == body["score"], "a retried submission changed its score"


def stored_figures(competition_id: int) -> dict:
    """The same figures as the database holds them (the truth)."""
    attempts = Attempt.objects.filter(
        competition_id=competition_id, status=Attempt.Status.SUBMITTED, is_practice=False
    )
    participations = Participation.objects.filter(competition_id=competition_id)
    sums = participations.aggregate(points=Sum("points"), attempts=Sum("submitted_attempts"))
    by_region = {
        row["region_id"]: (row["people"], row["n"], row["p"])
        for row in attempts.values("region_id").annotate(
            people=Count("user", distinct=True), n=Count("id"), p=Sum("score")
        )
    }
    return {
        "attempt_rows": attempts.count(),
        "attempt_points": attempts.aggregate(p=Sum("score"))["p"] or 0,
        "participation_attempts": sums["attempts"] or 0,
        "participation_points": sums["points"] or 0,
        "participants": participations.filter(submitted_attempts__gt=0).count(),
        "by_region": by_region,
    }


def assert_nothing_lost(ledger: Ledger, competition_id: int, stats: dict | None = None) -> dict:
    """Accepted submissions = submitted attempt rows = Participation sums (= live figures when given)."""
    stored = stored_figures(competition_id)
    accepted = len(ledger.accepted)
    accepted_points = sum(ledger.accepted.values())
    assert set(
        Attempt.objects.filter(competition_id=competition_id, status=Attempt.Status.SUBMITTED).values_list(
            "id", flat=True
        )
    ) == set(ledger.accepted)
    assert (stored["attempt_rows"], stored["participation_attempts"]) == (accepted, accepted)
    assert (stored["attempt_points"], stored["participation_points"]) == (accepted_points, accepted_points)
    if stats is not None:
        assert (stats["attempts"], stats["points"], stats["participants"]) == (
            accepted,
            accepted_points,
            stored["participants"],
        )
        live_regions = {
            row["id"]: (row["participants"], row["attempts"], row["points"]) for row in stats["regions"]
        }
        for region_id, figures in stored["by_region"].items():
            assert live_regions[region_id] == figures
    return stored
