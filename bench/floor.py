"""The physical floor of a hot request: the same SQL and Redis traffic without the application.

bench/hot.py (`--floor`) records, while the real requests run in-process, every statement Django
sends to PostgreSQL (with its parameters and the transaction boundaries Django drew around it) and
every round trip redis-py makes (the bytes sent and the number of replies read). Then it replays
them raw:

- SQL on a plain psycopg connection (Django's type adapters and the same client-side binding
  cursor, nothing of Django's ORM or CursorWrapper), in a **clone of the database taken before the
  recorded requests ran** (`CREATE DATABASE … TEMPLATE`), in the same order and the same
  transactions. The clone starts in the very state the real requests found, so every INSERT
  succeeds, gets the same id from the same sequence, and every UPDATE touches the same rows:
  PostgreSQL does the same work, commits included (a rolled-back replay would skip the commits
  and fail on ids the real run drew). Rows affected and errors are compared statement by
  statement, so a replay that diverged says so.
- Redis on a plain socket: the recorded bytes, and the replies parsed by a minimal RESP reader,
  against the same Redis server (its state is the real run's; replayed writes such as a throttle's
  INCR count twice, which the harness does not read).

`floor = H + raw SQL (app CPU) + raw Redis (app CPU) + PostgreSQL CPU + Redis CPU`: what a request
doing exactly this traffic would cost at best on this stack. The rest of the real request's CPU is
the application's machinery around it, which `package_profile` breaks down by package.
"""

from __future__ import annotations

import functools
import os
import pstats
import socket
import statistics
import sysconfig
import time
from collections import defaultdict
from pathlib import Path


def cpu_ms(pid: int) -> float:
    """CPU milliseconds a process has used, all threads: /proc/<pid>/task/*/schedstat (ns, exact)
    when the kernel keeps it, else utime + stime from /proc/<pid>/stat (10 ms ticks)."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        for task in tasks:
            total += int((task / "schedstat").read_text().split()[0])
        return total / 1e6
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


# --- recording ------------------------------------------------------------------------------------
class Recorder:
    """What each recorded request sent to PostgreSQL and Redis, by case and request number.

    `sql[case][i]` is a list of events: ("begin",), ("commit",), ("rollback",) and
    ("sql", statement, params, many, rowcount, failed); `redis[case][i]` a list of round trips
    ((host, port, db, protocol), bytes sent, replies read). Only requests inside `request()` are
    recorded; the harness's own queries between them are not.
    """

    def __init__(self) -> None:
        self.sql: dict[str, list[list]] = defaultdict(list)
        self.redis: dict[str, list[list]] = defaultdict(list)
        self.order: list[str] = []
        self.current: tuple[str, int] | None = None
        self._undo: list = []

    # The request being recorded: every event lands in its lists.
    def request(self, case: str):
        recorder = self

        class _Scope:
            def __enter__(self):
                if case not in recorder.sql:
                    recorder.order.append(case)
                recorder.sql[case].append([])
                recorder.redis[case].append([])
                recorder.current = (case, len(recorder.sql[case]) - 1)

            def __exit__(self, *exc):
                recorder.current = None

        return _Scope()

    def _sql_events(self) -> list | None:
        if self.current is None:
            return None
        case, index = self.current
        return self.sql[case][index]

    def _redis_trips(self) -> list | None:
        if self.current is None:
            return None
        case, index = self.current
        return self.redis[case][index]

    def install(self, wrapped) -> None:
        """Hook Django's connection `wrapped` (a DatabaseWrapper: statements, transaction
        boundaries) and redis-py's sockets; `uninstall` undoes it."""
        import redis.connection as redis_connection

        recorder = self

        def wrapper(execute, sql, params, many, context):
            events = recorder._sql_events()
            if events is None:
                return execute(sql, params, many, context)
            try:
                result = execute(sql, params, many, context)
            except Exception:
                events.append(("sql", sql, _freeze(params, many), many, None, True))
                raise
            rowcount = getattr(getattr(context.get("cursor"), "cursor", None), "rowcount", None)
            events.append(("sql", sql, _freeze(params, many), many, rowcount, False))
            return result

        hook = wrapped.execute_wrapper(wrapper)
        hook.__enter__()
        self._undo.append(lambda: hook.__exit__(None, None, None))

        # Transaction boundaries: Django turns autocommit off at the outermost atomic() (psycopg
        # then sends BEGIN before the next statement) and commits or rolls back at its end.
        for name, event in (("_commit", "commit"), ("_rollback", "rollback")):
            original = getattr(wrapped, name)

            def boundary(*args, _original=original, _event=event):
                events = recorder._sql_events()
                if events is not None:
                    events.append((_event,))
                return _original(*args)

            setattr(wrapped, name, boundary)
            self._undo.append(lambda _name=name: delattr(wrapped, _name))
        original_autocommit = wrapped._set_autocommit

        def set_autocommit(autocommit, _original=original_autocommit):
            events = recorder._sql_events()
            if events is not None and not autocommit:
                events.append(("begin",))
            return _original(autocommit)

        wrapped._set_autocommit = set_autocommit
        self._undo.append(lambda: delattr(wrapped, "_set_autocommit"))

        # redis-py: every write to the socket is a round trip (a command, or a pipeline's packed
        # commands); every reply read belongs to the last one sent. Recorded after the original
        # send returns, so a health-check PING sent from inside it is recorded first, as it happens.
        cls = redis_connection.AbstractConnection
        original_send = cls.send_packed_command
        original_read = cls.read_response

        def send_packed_command(conn, command, check_health=True):
            result = original_send(conn, command, check_health)
            trips = recorder._redis_trips()
            if trips is not None:
                data = command if isinstance(command, bytes | bytearray) else b"".join(map(bytes, command))
                key = (conn.host, conn.port, conn.db, int(getattr(conn, "protocol", 2) or 2))
                trips.append([key, bytes(data), 0])
            return result

        def read_response(conn, *args, **kwargs):
            response = original_read(conn, *args, **kwargs)
            trips = recorder._redis_trips()
            if trips:
                trips[-1][2] += 1
            return response

        cls.send_packed_command = send_packed_command
        cls.read_response = read_response
        self._undo.append(lambda: setattr(cls, "send_packed_command", original_send))
        self._undo.append(lambda: setattr(cls, "read_response", original_read))

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()

    def counts(self, case: str) -> tuple[float, float]:
        """(statements, Redis round trips) per request of a case."""
        requests = self.sql.get(case) or [[]]
        statements = sum(1 for events in requests for e in events if e[0] == "sql")
        trips = sum(len(t) for t in self.redis.get(case) or [[]])
        return statements / len(requests), trips / len(requests)


def _freeze(params, many):
    """A copy of the parameters the cursor received (a list may be reused by the caller)."""
    if params is None:
        return None
    if many:
        return [tuple(p) if isinstance(p, list) else p for p in params]
    return tuple(params) if isinstance(params, list) else params


# --- the clone ----------------------------------------------------------------------------------------
def admin_execute(settings_dict: dict, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def clone_database(connections, alias: str = "default") -> str:
    """Close Django's connections (a template must have none) and copy the database; the clone's
    name. Retries a few times: another session may be closing."""
    settings_dict = connections[alias].settings_dict
    source = settings_dict["NAME"]
    clone = f"{source}_floor"[:63]
    connections.close_all()
    wrapper = connections[alias]
    if getattr(wrapper, "pool", None) is not None and hasattr(wrapper, "close_pool"):
        wrapper.close_pool()
    admin_execute(settings_dict, f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
    last = None
    for _ in range(10):
        try:
            admin_execute(settings_dict, f'CREATE DATABASE "{clone}" TEMPLATE "{source}"')
            return clone
        except Exception as exc:  # noqa: BLE001 - "being accessed by other users": wait and retry
            last = exc
            time.sleep(0.5)
    raise SystemExit(f"could not clone {source} (close other sessions on it): {last}")


def drop_database(connections, name: str, alias: str = "default") -> None:
    if not name.endswith("_floor"):
        raise ValueError(name)
    admin_execute(connections[alias].settings_dict, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_connection(connection, dbname: str):
    """A plain psycopg connection to `dbname` with Django's adapters and client-side binding (what
    Django's cursor does), autocommit on: the replay sends BEGIN and COMMIT itself."""
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = dbname
    params["cursor_factory"] = psycopg.ClientCursor
    conn = psycopg.connect(**params, autocommit=True)
    timezone = connection.timezone_name
    conn.execute("SELECT set_config('TimeZone', %s, false)", [timezone])
    # Load the clone's tables into shared buffers (the source's pages were hot from seeding and
    # the warm-up; the clone's copy is mostly in the OS page cache only).
    tables = conn.execute(
        "SELECT quote_ident(relname) FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace"
    ).fetchall()
    for (table,) in tables:
        conn.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from the catalog
    return conn


class SqlReplay:
    """Replays recorded SQL events on a raw psycopg connection; counts divergences."""

    def __init__(self, conn) -> None:
        import psycopg

        self.conn = conn
        self.cursor = conn.cursor()
        self.error_class = psycopg.Error
        self.mismatches = 0
        self.unexpected_errors = 0
        self.statements = 0
        self.examples: list[str] = []

    def run(self, events: list) -> None:
        cursor = self.cursor
        pending = in_transaction = False
        for event in events:
            kind = event[0]
            if kind == "begin":
                pending = True
            elif kind in ("commit", "rollback"):
                if in_transaction:
                    cursor.execute("COMMIT" if kind == "commit" else "ROLLBACK")
                pending = in_transaction = False
            else:
                _, sql, params, many, rowcount, failed = event
                if pending and not in_transaction:
                    cursor.execute("BEGIN")
                    in_transaction = True
                self.statements += 1
                try:
                    if many:
                        cursor.executemany(sql, params)
                    else:
                        cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()
                except self.error_class as exc:
                    if not failed:
                        self.unexpected_errors += 1
                        self._example(sql, f"failed: {exc}")
                    continue
                if failed or (rowcount is not None and rowcount != cursor.rowcount):
                    self.mismatches += 1
                    self._example(
                        sql, f"{cursor.rowcount} rows, recorded {'an error' if failed else rowcount}"
                    )
        if in_transaction:  # a request never leaves a transaction open; the replay does not either
            cursor.execute("ROLLBACK")

    def _example(self, sql: str, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(f"{' '.join(sql.split())[:160]} → {what}")


# --- Redis, raw -----------------------------------------------------------------------------------
class RespReader:
    """A minimal RESP2/RESP3 reply reader over a socket: what a bare client must do at least."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos : end]
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, size: int) -> bytes:
        while len(self.buf) - self.pos < size + 2:
            self._fill()
        data = self.buf[self.pos : self.pos + size]
        self.pos += size + 2
        return data

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("redis closed the connection")
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-", b"(", b","):
            return rest
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"!", b"="):
            size = int(rest)
            return None if size < 0 else self._exact(size)
        if kind in (b"*", b"~", b">"):
            size = int(rest)
            return None if size < 0 else [self.read() for _ in range(size)]
        if kind == b"%":
            return {self.read(): self.read() for _ in range(int(rest))}
        if kind == b"_":
            return None
        if kind == b"#":
            return rest == b"t"
        if kind == b"|":  # attributes precede the reply they describe
            for _ in range(2 * int(rest)):
                self.read()
            return self.read()
        raise ValueError(f"unexpected RESP type {line[:20]!r}")


class RedisReplay:
    """Replays recorded round trips on plain sockets, one per (server, db, protocol)."""

    def __init__(self) -> None:
        self.sockets: dict[tuple, tuple[socket.socket, RespReader]] = {}

    def _socket(self, key: tuple) -> tuple[socket.socket, RespReader]:
        found = self.sockets.get(key)
        if found is None:
            host, port, db, protocol = key
            sock = socket.create_connection((host, int(port)))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = RespReader(sock)
            if protocol == 3:
                sock.sendall(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n")
                reader.read()
            if db:
                sock.sendall(b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n" % (len(str(db)), str(db).encode()))
                reader.read()
            found = self.sockets[key] = (sock, reader)
        return found

    def prepare(self, trips: list) -> None:
        for key, _data, _replies in trips:
            self._socket(key)

    def run(self, trips: list) -> None:
        for key, data, replies in trips:
            sock, reader = self.sockets[key]
            sock.sendall(data)
            for _ in range(replies):
                reader.read()

    def close(self) -> None:
        for sock, _reader in self.sockets.values():
            sock.close()


def redis_server_pids(recorder: Recorder) -> list[int]:
    """The pids of the Redis servers the recorded round trips went to (INFO server)."""
    pids = set()
    keys = {trip[0] for case in recorder.redis.values() for trips in case for trip in trips}
    for host, port, _db, _protocol in keys:
        sock = socket.create_connection((host, int(port)))
        try:
            sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            text = RespReader(sock).read().decode()
        finally:
            sock.close()
        for line in text.splitlines():
            if line.startswith("process_id:"):
                pids.add(int(line.split(":", 1)[1]))
    return sorted(pids)


def replay(recorder: Recorder, cases: list[str], sql_conn, redis_pids: list[int]) -> dict:
    """Replay every case in recording order: SQL on the clone, then Redis. Per case and per request:
    app CPU medians (ms) and the servers' CPU (ms, exact per-block deltas)."""
    out: dict[str, dict] = {}
    sql = SqlReplay(sql_conn)
    backend = sql_conn.info.backend_pid
    for case in recorder.order:
        requests = recorder.sql[case]
        samples = []
        before = cpu_ms(backend)
        for events in requests:
            started = time.process_time()
            sql.run(events)
            samples.append(time.process_time() - started)
        out.setdefault(case, {})
        out[case]["sql_app_ms"] = statistics.median(samples) * 1000 if samples else 0.0
        out[case]["pg_ms"] = (cpu_ms(backend) - before) / max(len(requests), 1)
    out["_sql"] = {
        "statements": sql.statements,
        "mismatches": sql.mismatches,
        "unexpected_errors": sql.unexpected_errors,
        "examples": sql.examples,
    }
    redis = RedisReplay()
    try:
        for case in recorder.order:
            for trips in recorder.redis[case]:
                redis.prepare(trips)
        for case in recorder.order:
            requests = recorder.redis[case]
            samples = []
            before = sum(cpu_ms(pid) for pid in redis_pids)
            for trips in requests:
                started = time.process_time()
                redis.run(trips)
                samples.append(time.process_time() - started)
            out[case]["redis_app_ms"] = statistics.median(samples) * 1000 if samples else 0.0
            out[case]["redis_ms"] = (sum(cpu_ms(pid) for pid in redis_pids) - before) / max(len(requests), 1)
    finally:
        redis.close()
    return {case: value for case, value in out.items() if case == "_sql" or case in cases}


# --- profile by package ---------------------------------------------------------------------------
# Utilities whose time belongs to whoever called them (signals, thread-locals, lazy objects).
PASS_THROUGH = ("django/dispatch/", "django/utils/", "asgiref/")
PACKAGES = (
    ("psycopg", "psycopg"),
    ("django/db/", "Django ORM"),
    ("django/test/", "test client (in H too)"),
    ("rest_framework/", "DRF"),
    ("redis/", "redis-py"),
    ("django/urls/", "Django URL routing"),
    ("django/", "Django (request, middleware, other)"),
)
PROJECT_DIRS = ("core", "accounts", "quiz", "leaderboard", "campaign", "web", "config")
ROOT = Path(__file__).resolve().parent.parent
STDLIB = sysconfig.get_paths()["stdlib"]
GROUPS = [
    "Django ORM",
    "DRF",
    "psycopg",
    "redis-py",
    "Django URL routing",
    "Django (request, middleware, other)",
    "project",
    "test client (in H too)",
    "other",
]


@functools.lru_cache(maxsize=4096)
def package_of(filename: str) -> str | None:
    """The coarse package of a profiled function's file; None for built-ins, the standard library
    and PASS_THROUGH, whose time is charged to the packages that called them."""
    if filename == "~" or filename.startswith("<"):
        return None
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        inside = path.split("site-packages/", 1)[1]
        if inside.startswith(PASS_THROUGH):
            return None
        for needle, name in PACKAGES:
            if inside.startswith(needle):
                return name
        return "other"
    if path.startswith(STDLIB):
        return None
    try:
        top = Path(path).resolve().relative_to(ROOT).parts[0]
    except (ValueError, IndexError):
        return "other"
    return "project" if top in PROJECT_DIRS else "other"


def package_profile(stats: pstats.Stats) -> dict[str, float]:
    """Self CPU seconds by coarse package. A built-in (a C method: socket recv, dict copy) or a
    standard-library function (deepcopy, json, re) is charged to the packages of its callers, up
    the call graph, in proportion to the time spent in it through each caller."""
    entries = stats.stats
    memo: dict = {}

    def owners(func, depth: int = 0) -> dict[str, float]:
        package = package_of(func[0])
        if package is not None:
            return {package: 1.0}
        if func in memo:
            return memo[func]
        memo[func] = {"other": 1.0}  # a cycle through the standard library ends here
        if depth > 50:
            return memo[func]
        callers = entries.get(func, (0, 0, 0, 0, {}))[4]
        weights = {caller: value[3] for caller, value in callers.items() if value[3] > 0}
        spent = sum(weights.values())
        if not spent:
            return memo[func]
        result: dict[str, float] = defaultdict(float)
        for caller, weight in weights.items():
            for name, share in owners(caller, depth + 1).items():
                result[name] += share * weight / spent
        memo[func] = dict(result)
        return memo[func]

    totals: dict[str, float] = defaultdict(float)
    for func, (_cc, _nc, tottime, _ct, _callers) in entries.items():
        for name, share in owners(func).items():
            totals[name] += tottime * share
    return dict(totals)


def markdown_floor(rows: list[dict]) -> str:
    """The table for BENCHMARKS.md: real request, its floor and the gap (app CPU / servers' CPU)."""
    lines = [
        "| request | real, all-in ms = app + PostgreSQL + Redis | floor, all-in ms = H + raw SQL + raw Redis "
        "+ PostgreSQL + Redis | gap ms = app + servers | real / floor | SQL statements | Redis round trips |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        real, floor = row["real"], row["floor"]
        app_gap = real[0] - sum(floor[:3])
        server_gap = real[1] + real[2] - floor[3] - floor[4]
        lines.append(
            f"| {row['case']} | **{sum(real):.2f}** = {real[0]:.2f} + {real[1]:.2f} + {real[2]:.2f} "
            f"| **{sum(floor):.2f}** = {floor[0]:.2f} + {floor[1]:.2f} + {floor[2]:.2f} + {floor[3]:.2f} "
            f"+ {floor[4]:.2f} | {sum(real) - sum(floor):.2f} = {app_gap:.2f} + {server_gap:.2f} "
            f"| {sum(real) / sum(floor):.1f}× | {row['sql']:g} | {row['trips']:g} |"
        )
    return "\n".join(lines)


def markdown_profile(rows: list[dict]) -> str:
    """App CPU of the real request by package (cProfile self time, built-ins charged to their
    callers), scaled to the request's median app CPU."""
    lines = [
        "| request | app CPU ms | " + " | ".join(GROUPS) + " |",
        "|---|---|" + "---|" * len(GROUPS),
    ]
    for row in rows:
        total = sum(row["packages"].values()) or 1.0
        cells = []
        for group in GROUPS:
            share = row["packages"].get(group, 0.0) / total
            cells.append(f"{share * row['app_ms']:.2f} ({share * 100:.0f} %)")
        lines.append(f"| {row['case']} | {row['app_ms']:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
