"""Reading settings from the environment (12-factor).

Every knob of the platform is an environment variable; with none set you get the embedded
default (SQLite, local-memory cache, leaderboards computed from the database).
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(base_dir) -> dict:
    """DATABASE_URL (postgres://...) or the embedded SQLite file."""
    url = env_str("DATABASE_URL")
    if url:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
        )
        pool_size = env_int("DB_POOL_MAX_SIZE", 0)
        if pool_size > 0:
            # Under ASGI every request runs in a thread of its own, so persistent connections do not
            # help and the connection count follows the load until PostgreSQL refuses ("too many
            # clients"). A bounded pool per process (psycopg_pool) keeps it fixed, makes a busy
            # request wait instead of fail, and saves a connection set-up per request (BENCHMARKS.md).
            config["CONN_MAX_AGE"] = 0
            # The same backend, but a connection taken from the pool is checked without a round
            # trip (core/postgresql/base.py); Django's own check would be an empty query per request.
            if config["ENGINE"] == "django.db.backends.postgresql":
                config["ENGINE"] = "core.postgresql"
                config["CONN_HEALTH_CHECKS"] = False
            config.setdefault("OPTIONS", {})["pool"] = {
                "min_size": min(2, pool_size),
                "max_size": pool_size,
                "timeout": env_int("DB_POOL_TIMEOUT", 20),
            }
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(base_dir / "db.sqlite3")),
        # SQLite waits for a lock instead of failing at once under the dev server's threads.
        "OPTIONS": {"timeout": 20},
    }
