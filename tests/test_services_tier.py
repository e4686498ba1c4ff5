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
    """The cache (throttles, token cache) is the Redis backend, and what it stores lands in Redis."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from core.redis import get_client

    backend = caches["default"]  # `cache` itself is a proxy; core.cache.RedisCache subclasses Django's
    assert isinstance(backend, RedisCache)
    cache.set("services-tier-probe", {"n": 42}, 30)
    assert cache.get("services-tier-probe") == {"n": 42}
    assert get_client().exists(backend.make_key("services-tier-probe")) == 1
