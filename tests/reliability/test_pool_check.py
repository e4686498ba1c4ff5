"""A pooled PostgreSQL connection is checked without a round trip (core/postgresql/base.py).

Real PostgreSQL (services tier): a pool of the test database built the way config/env.py builds it
with DB_POOL_MAX_SIZE. A healthy connection is handed out with no query sent; a connection whose
session the server ended (pg_terminate_backend, as a restart does) is replaced before any request
uses it, so no request fails. The control shows the test can fail: the same pool with no check at
all hands out the dead connection.
"""

from __future__ import annotations

import os
import time
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgres

from core.postgresql.base import DatabaseWrapper, looks_alive
from tests.support.servers import terminate_backends, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _pooled(wrapper_class, alias, size=1):
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "core.postgresql",
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {"pool": {"min_size": size, "max_size": size, "timeout": 5}},
    }
    return wrapper_class(settings_dict, alias=alias)


@pytest.fixture
def pooled():
    wrappers = []

    def make(wrapper_class=DatabaseWrapper, size=1):
        wrapper = _pooled(wrapper_class, f"pool_check_{len(wrappers)}", size)
        wrappers.append(wrapper)
        return wrapper

    yield make
    for wrapper in wrappers:
        wrapper.close()
        wrapper.close_pool()


def _backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _end_session_and_wait(wrapper, pid: int) -> None:
    """End the pooled session from the test's own connection; wait until its goodbye has arrived."""
    (idle,) = [c for c in wrapper.pool._pool if c.info.backend_pid == pid]  # one session per pool
    assert terminate_backends([pid]) == 1
    wait_until(lambda: not looks_alive(idle), timeout=5)


def test_a_healthy_pooled_connection_is_handed_out_without_a_query(pooled):
    wrapper = pooled()
    first = _backend_pid(wrapper)
    wrapper.close()  # back to the pool
    with mock.patch.object(
        psycopg.Connection, "execute", autospec=True, side_effect=psycopg.Connection.execute
    ) as execute:
        wrapper.ensure_connection()
    assert execute.call_count == 0  # Django's pool check would have sent "" here
    assert wrapper.pool.get_stats().get("connections_lost", 0) == 0
    assert _backend_pid(wrapper) == first  # the same session, reused


def test_a_connection_numbered_past_1024_is_looked_at_all_the_same(pooled):
    """A busy server process holds thousands of sockets; select() cannot look past 1,024."""
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        wrapper = pooled()
        first = _backend_pid(wrapper)
        assert wrapper.connection.fileno() > 1024
        wrapper.close()
        with mock.patch.object(
            psycopg.Connection, "execute", autospec=True, side_effect=psycopg.Connection.execute
        ) as execute:
            wrapper.ensure_connection()
        assert execute.call_count == 0
        assert _backend_pid(wrapper) == first
        wrapper.close()
        _end_session_and_wait(wrapper, first)
        assert _backend_pid(wrapper) != first
    finally:
        for fd in spare:
            os.close(fd)


def test_a_session_ended_by_the_server_is_replaced_before_a_request_uses_it(pooled):
    wrapper = pooled()
    old = _backend_pid(wrapper)
    wrapper.close()
    _end_session_and_wait(wrapper, old)

    new = _backend_pid(wrapper)  # would raise OperationalError on the dead session

    assert new != old
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1 + 1")
        assert cursor.fetchone() == (2,)


def test_every_session_ended_at_once_costs_no_request(pooled):
    wrapper = pooled(size=2)
    pids = []
    # Two sessions in the pool: take both, return both.
    second = _pooled(DatabaseWrapper, wrapper.alias, 2)  # pools are per alias, per process
    try:
        pids.append(_backend_pid(wrapper))
        pids.append(_backend_pid(second))
        second.close()
        wrapper.close()
        assert terminate_backends(pids) == 2
        time.sleep(0.2)
        for _ in range(5):
            assert _backend_pid(wrapper) not in pids
            wrapper.close()
    finally:
        second.close()


def test_control_without_any_check_the_dead_session_reaches_the_request(pooled):
    """Django's backend with CONN_HEALTH_CHECKS off: the pool hands the dead session out."""
    wrapper = pooled(DjangoPostgres)
    old = _backend_pid(wrapper)
    wrapper.close()
    _end_session_and_wait(wrapper, old)
    with pytest.raises(OperationalError):
        _backend_pid(wrapper)


def test_config_env_uses_the_cheap_check_only_for_a_pool(monkeypatch, tmp_path):
    from config.env import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://quiz@db:5432/quiz")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "10")
    pooled_config = database_from_env(tmp_path)
    assert pooled_config["ENGINE"] == "core.postgresql"
    assert pooled_config["CONN_HEALTH_CHECKS"] is False
    assert pooled_config["OPTIONS"]["pool"]["max_size"] == 10

    monkeypatch.setenv("DB_POOL_MAX_SIZE", "0")
    plain = database_from_env(tmp_path)
    assert plain["ENGINE"] == "django.db.backends.postgresql"
    assert plain["CONN_HEALTH_CHECKS"] is True  # persistent connections keep Django's check
