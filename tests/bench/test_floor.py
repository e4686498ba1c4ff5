"""bench/floor.py: recording a request's traffic, the raw Redis reader, the profile by package."""

import socket
import sysconfig
import threading
from types import SimpleNamespace

import pytest
from django.db import connections, transaction

from accounts.models import Region
from bench import floor

SITE = "/venv/lib/python3.11/site-packages/"
STDLIB = sysconfig.get_paths()["stdlib"]


def test_resp_reader_parses_resp2_and_resp3_replies_split_across_reads():
    left, right = socket.socketpair()
    replies = (
        b"+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n"
        b"%1\r\n+k\r\n$1\r\nv\r\n_\r\n#t\r\n,1.5\r\n-ERR no\r\n"
    )

    def send_in_pieces():
        for i in range(0, len(replies), 3):
            right.sendall(replies[i : i + 3])

    sender = threading.Thread(target=send_in_pieces)
    sender.start()
    reader = floor.RespReader(left)
    got = [reader.read() for _ in range(10)]
    sender.join()
    left.close()
    right.close()
    assert got == [b"OK", 42, b"hello", None, [b"a", 1], {b"k": b"v"}, None, True, b"1.5", b"ERR no"]


def test_packages_are_named_by_file_and_utilities_are_charged_to_their_callers():
    assert floor.package_of(SITE + "django/db/models/query.py") == "Django ORM"
    assert floor.package_of(SITE + "psycopg/cursor.py") == "psycopg"
    assert floor.package_of(SITE + "rest_framework/fields.py") == "DRF"
    assert floor.package_of(SITE + "redis/connection.py") == "redis-py"
    assert floor.package_of(SITE + "django/urls/resolvers.py") == "Django URL routing"
    assert floor.package_of(SITE + "django/core/handlers/base.py") == "Django (request, middleware, other)"
    assert floor.package_of(str(floor.ROOT / "quiz" / "services" / "attempts.py")) == "project"
    assert floor.package_of(str(floor.ROOT / "bench" / "hot.py")) == "other"
    for charged_to_caller in ("~", STDLIB + "/copy.py", SITE + "django/utils/functional.py"):
        assert floor.package_of(charged_to_caller) is None


def test_standard_library_time_goes_to_the_packages_that_called_it_in_proportion():
    drf = (SITE + "rest_framework/fields.py", 1, "deepcopy_fields")
    orm = (SITE + "django/db/models/query.py", 1, "clone")
    deepcopy = (STDLIB + "/copy.py", 1, "deepcopy")
    builtin = ("~", 0, "<built-in method builtins.getattr>")
    stats = SimpleNamespace(
        stats={
            drf: (1, 1, 0.010, 0.050, {}),
            orm: (1, 1, 0.020, 0.030, {}),
            # deepcopy: 3 ms through DRF, 1 ms through the ORM
            deepcopy: (4, 4, 0.004, 0.004, {drf: (3, 3, 0.003, 0.003), orm: (1, 1, 0.001, 0.001)}),
            # a built-in called only from deepcopy follows it up to DRF and the ORM
            builtin: (8, 8, 0.008, 0.008, {deepcopy: (8, 8, 0.008, 0.008)}),
        }
    )
    totals = floor.package_profile(stats)
    assert totals["DRF"] == pytest.approx(0.010 + 0.003 + 0.006)
    assert totals["Django ORM"] == pytest.approx(0.020 + 0.001 + 0.002)
    assert sum(totals.values()) == pytest.approx(0.042)


@pytest.mark.django_db(transaction=True)
def test_the_recorder_keeps_statements_with_parameters_inside_their_transaction():
    recorder = floor.Recorder()
    recorder.install(connections["default"])
    try:
        Region.objects.count()  # outside a recorded request: not recorded
        with recorder.request("write"):
            with transaction.atomic():
                Region.objects.create(
                    name_zh="测试县", name_en="Test county", code="999999", level=Region.Level.choices[-1][0]
                )
        with recorder.request("write"):
            Region.objects.filter(code="999999").count()
    finally:
        recorder.uninstall()
    first, second = recorder.sql["write"]
    # PostgreSQL: autocommit off, psycopg sends BEGIN itself; SQLite: Django sends BEGIN as a statement.
    kinds = ["begin" if e[0] == "sql" and e[1] == "BEGIN" else e[0] for e in first]
    assert kinds == ["begin", "sql", "commit"]
    statement, params = first[-2][1], first[-2][2]
    assert statement.startswith("INSERT INTO") and "999999" in params
    assert [event[0] for event in second] == ["sql"]
    assert second[0][4] is not None  # the row count is kept, so a replay can be checked
    statements = sum(event[0] == "sql" for event in first + second)
    assert recorder.counts("write") == (statements / 2, 0.0)  # per request; no Redis here
    # Uninstalled: Django's own methods are back.
    assert "_commit" not in vars(connections["default"])
