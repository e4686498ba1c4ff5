"""The one module that imports `redis` and knows the server's address.

It sits in `core` (the lowest layer) so that both readiness (core/apis.py) and the leaderboard
store reach it without an upward import. Everything else goes through these functions. The cache
reaches Redis through CACHES, never through here (there is no channel layer: config/settings/base.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

# The failure every caller catches: connection refused, timeout, a script error, ...
RedisError = redis.RedisError
Redis = redis.Redis


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=1.0,
        health_check_interval=30,
        # A dead Redis must fail a submission's hook fast, not stall it: one retry, no backoff.
        retry=Retry(NoBackoff(), 1),
    )


def get_client() -> redis.Redis:
    """A process-wide client with a connection pool; short timeouts so a dead Redis fails fast."""
    return _client_for(settings.REDIS_URL)


def is_configured() -> bool:
    return bool(settings.REDIS_URL)


def ping() -> bool:
    if not is_configured():
        return False
    try:
        return bool(get_client().ping())
    except redis.RedisError:
        return False


_scripts: dict[tuple[int, str], "redis.commands.core.Script"] = {}


def script(source: str):
    """A registered Lua script (EVALSHA, loaded on first use) bound to the current client."""
    client = get_client()
    key = (id(client), source)
    registered = _scripts.get(key)
    if registered is None:
        registered = client.register_script(source)
        _scripts[key] = registered
    return registered


@dataclass(frozen=True)
class ScriptCall:
    """One run of a Lua script, to be sent along with other commands (`get_with`)."""

    source: str
    keys: tuple[str, ...]
    args: tuple = ()

    def run(self) -> Any:
        return script(self.source)(keys=list(self.keys), args=list(self.args))


def get_with(key: str, calls: Sequence[ScriptCall]) -> tuple[str | None, list[Any]]:
    """GET `key` and run `calls` in one round trip: (the value, each call's reply or RedisError).

    A hot read sends its own script with the caller's token (core/tokens.py): one round trip less
    (BENCHMARKS.md, issue 16). The GET goes last, so a value that is not UTF-8 text (a pickle of
    the release before) fails decoding after every other reply was read and the pooled
    connection stays in step; the caller then treats the value as unreadable. A script Redis has
    not loaded (NOSCRIPT, after a restart or SCRIPT FLUSH) is loaded and run on its own."""
    pipe = get_client().pipeline(transaction=False)
    for call in calls:
        pipe.evalsha(script(call.source).sha, len(call.keys), *call.keys, *call.args)
    pipe.get(key)
    *replies, value = pipe.execute(raise_on_error=False)
    for index, reply in enumerate(replies):
        if isinstance(reply, redis.exceptions.NoScriptError):
            try:
                replies[index] = calls[index].run()
            except redis.RedisError as exc:
                replies[index] = exc
    if isinstance(value, redis.RedisError):
        raise value
    return value, replies
