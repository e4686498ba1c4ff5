"""Issue 13 point 7: one big request cannot freeze a server process.

`make run` serves with uvicorn (daphne read an 80 MB body in its event loop: every other request on
the process waited ~9.7 s). Here the very command of the Makefile serves; an anonymous oversized
body is refused cleanly while a health check on the same process still answers at once.
"""

import http.client
import json
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
BODY_BYTES = 40 * 1024 * 1024


def _make_run_server_command(port: int) -> list[str]:
    """The server line of the Makefile's `run` target, with its variables filled in."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    line = next(ln.strip() for ln in recipe.splitlines() if "config.asgi:application" in ln)
    line = line.replace("$(BIN)", ".venv/bin").replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
    assert not re.search(r"\$\(", line), line
    return shlex.split(line)


def _get(port: int, path: str, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


@pytest.fixture
def server():
    port = free_port()
    command = _make_run_server_command(port)
    assert Path(ROOT / command[0]).name == "uvicorn"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get(port, "/api/v1/health/", timeout=2) == 200
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_an_oversized_anonymous_body_is_refused_while_health_answers(server):
    body = b'{"username": "' + b"a" * BODY_BYTES + b'", "password": "x"}'
    answer: dict = {}

    def post() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        connection.request(
            "POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        answer["status"], answer["body"] = response.status, json.loads(response.read())

    sender = threading.Thread(target=post)
    sender.start()
    health = []
    while sender.is_alive():
        started = time.monotonic()
        health.append((_get(server, "/api/v1/health/", timeout=2), time.monotonic() - started < 2))
        time.sleep(0.05)
    sender.join()

    assert (answer["status"], answer["body"]["code"]) == (400, "request_too_large")
    assert health and set(health) == {(200, True)}
