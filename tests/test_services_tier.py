"""The settings switch really reaches PostgreSQL and Redis (run with DATABASE_URL and REDIS_URL)."""

import pytest
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), version()")
        _tz, version = cursor.fetchone()
    assert version.startswith("PostgreSQL")


def test_cache_is_redis():
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(cache, RedisCache) or type(cache._cache).__name__ == "RedisCacheClient"
    cache.set("services-tier-probe", {"n": 42}, 30)
    assert cache.get("services-tier-probe") == {"n": 42}
