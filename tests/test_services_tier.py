"""The settings switch really reaches PostgreSQL and Redis (run with DATABASE_URL and REDIS_URL)."""

import pytest
from channels.layers import get_channel_layer
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


async def test_channel_layer_round_trip_through_redis():
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    channel = await layer.new_channel()
    await layer.group_add("services-tier-probe", channel)
    await layer.group_send("services-tier-probe", {"type": "probe.message", "value": "你好"})
    message = await layer.receive(channel)
    await layer.group_discard("services-tier-probe", channel)
    assert message == {"type": "probe.message", "value": "你好"}
