"""Summaries of py-spy's collapsed stacks ("frame;frame;frame count" per line).

`by_package` says where the sampled time went, by the package of the innermost frame (self time);
`inclusive` says which functions the samples passed through (inclusive time), for the project's
own code and the libraries that matter to a request.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_FRAME_RE = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")

# Ordered: the first pattern found in a frame's file path names its package.
PACKAGES = [
    ("psycopg", "PostgreSQL driver (psycopg)"),
    ("django/db/", "Django ORM"),
    ("rest_framework/authtoken", "DRF token auth"),
    ("rest_framework/", "DRF"),
    ("django/core/handlers", "Django request handling"),
    ("django/middleware", "Django middleware"),
    ("django/contrib/sessions", "Django sessions"),
    ("django/utils/translation", "Django i18n"),
    ("django/template", "Django templates"),
    ("django/", "Django (other)"),
    ("channels/", "Channels"),
    ("redis/", "redis-py"),
    ("asgiref/", "asgiref (sync/async hops)"),
    ("daphne/", "daphne"),
    ("twisted/", "Twisted"),
    ("autobahn/", "autobahn (WebSocket)"),
    ("uvicorn/", "uvicorn"),
    ("uvloop", "uvloop"),
    ("httptools", "httptools"),
    ("websockets/", "websockets"),
    ("json/", "json"),
    ("gunicorn/", "gunicorn"),
    ("/copy.py", "copy (ORM expression and query cloning)"),
    ("selectors.py", "socket I/O"),
    ("socket.py", "socket I/O"),
    ("concurrent/futures", "thread pool"),
    ("threading.py", "threads"),
    ("asyncio/", "asyncio"),
    ("/quiz/", "quiz (project)"),
    ("/leaderboard/", "leaderboard (project)"),
    ("/accounts/", "accounts (project)"),
    ("/core/", "core (project)"),
    ("/config/", "config (project)"),
]


def parse_frame(frame: str) -> tuple[str, str]:
    """(function, file) of one py-spy frame such as `get (django/db/models/query.py:633)`."""
    match = _FRAME_RE.match(frame.strip())
    if not match:
        return frame.strip(), ""
    return match.group("func"), match.group("file")


def parse_collapsed(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        head, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        stacks.append((head.split(";"), int(count)))
    return stacks


def package_of(path: str) -> str:
    for needle, name in PACKAGES:
        if needle in path:
            return name
    return "other"


def by_package(stacks: list[tuple[list[str], int]]) -> list[tuple[str, int, float]]:
    """(package, samples, share) by the innermost frame's package, most first."""
    counts: Counter = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        innermost = next((f for f in reversed(frames) if parse_frame(f)[1]), frames[-1])
        counts[package_of(parse_frame(innermost)[1])] += count
    return [(name, n, n / total) for name, n in counts.most_common()] if total else []


def inclusive(stacks: list[tuple[list[str], int]], keep=None) -> list[tuple[str, int, float]]:
    """(function label, samples, share) counting each function once per stack it appears in."""
    counts: Counter = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        seen = set()
        for frame in frames:
            func, path = parse_frame(frame)
            if keep is not None and not keep(func, path):
                continue
            label = f"{func} ({_short(path)})"
            if label not in seen:
                seen.add(label)
                counts[label] += count
    return [(label, n, n / total) for label, n in counts.most_common()] if total else []


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


INTERESTING = (
    "quiz/",
    "leaderboard/",
    "accounts/",
    "core/",
    "rest_framework/",
    "django/db/models/query.py",
    "django/db/backends/utils.py",
    "django/db/backends/base/base.py",
    "django/db/backends/postgresql/base.py",
    "django/db/transaction.py",
    "redis/client.py",
    "django/contrib/auth/",
    "django/core/handlers/base.py",
    "asgiref/sync.py",
    "psycopg/connection.py",
    "psycopg/cursor.py",
)


def interesting(func: str, path: str) -> bool:
    return any(marker in path for marker in INTERESTING)
