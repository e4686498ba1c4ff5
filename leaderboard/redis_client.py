"""The one module that imports `redis` and knows the server's address.

Everything else (the leaderboard store, readiness) goes through these functions. Channels
reaches Redis through CHANNEL_LAYERS and the cache through CACHES, never through here.
"""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_client() -> redis.Redis:
    """A process-wide client with a connection pool; short timeouts so a dead Redis fails fast."""
    return redis.Redis.from_url(
        settings.REDIS_URL,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=1.0,
        health_check_interval=30,
    )


def is_configured() -> bool:
    return bool(settings.REDIS_URL)


def ping() -> bool:
    if not is_configured():
        return False
    try:
        return bool(get_client().ping())
    except redis.RedisError:
        return False
