"""Django's PostgreSQL backend with a cheaper check of a pooled connection.

With `DB_POOL_MAX_SIZE` set, Django hands psycopg_pool `ConnectionPool.check_connection` when
`CONN_HEALTH_CHECKS` is on: every request then starts with an empty query, one more round trip and
one more PostgreSQL transaction per request (the crowd's 12 requests per person made 26
transactions instead of 14: BENCHMARKS.md, issue 16). Instead, a connection taken from the pool is
looked at without a round trip: an idle connection receives nothing from the server unless the
server is closing it (an administrator's `pg_terminate_backend`, a restart, a crash: PostgreSQL
sends a FATAL message, then the socket closes), so only a connection whose socket has something to
read, or that psycopg already knows is broken, is checked the old way and replaced if dead.

What this gives up: a connection whose server vanished without a word (a network partition, a
host powered off) is found dead by the request that uses it, which answers a clean 503 with
Retry-After (core/exceptions.py) like any database failure; the pool then drops it.
"""

import select

from django.db.backends.postgresql import base

MAX_REPLACEMENTS = 3


def looks_alive(connection) -> bool:
    """True when an idle pooled connection shows no sign of being closed by the server: nothing to
    read, no hang-up. poll(), not select(): a busy server process holds more than select()'s 1,024
    file descriptors."""
    if connection.closed or connection.broken:
        return False
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.pool:
            return connection
        for _ in range(MAX_REPLACEMENTS):
            if looks_alive(connection):
                return connection
            try:
                # Something arrived on an idle connection: usually the server's goodbye, but a
                # notice is harmless. The old check decides.
                self.pool.check_connection(connection)
                return connection
            except Exception:  # noqa: BLE001 - any failure means this connection is unusable
                connection.close()
                self.pool.putconn(connection)  # a closed connection is discarded and replaced
                connection = self.pool.getconn()
                if "isolation_level" in self.settings_dict["OPTIONS"]:
                    connection.isolation_level = self.isolation_level
        return connection
