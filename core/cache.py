"""The Redis cache backend of CACHES, with one client object per server instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` around its shared connection pool for every
cache operation, and redis-py's constructor copies its ~170 response callbacks each time: about a
third of the CPU of a cache GET (bench/hot.py's cProfile, BENCHMARKS.md). A client holds no
per-call state (connections come from the pool, per command), so one per pool serves every
thread of the process.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _OneClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._client(connection_pool=pool)
            self._clients[id(pool)] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
