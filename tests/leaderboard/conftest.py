"""Every leaderboard test gets its own Redis key prefix (the services tier shares one Redis db)."""

import uuid

import pytest

from leaderboard import catalog, services


@pytest.fixture(autouse=True)
def _isolated_leaderboard(settings):
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.LEADERBOARD_KEY_PREFIX = prefix
    catalog.invalidate_region_catalog()
    services._pending_unchecked = True
    yield prefix
    catalog.invalidate_region_catalog()
    if settings.REDIS_URL:
        from leaderboard import redis_client

        try:
            client = redis_client.get_client()
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis_client.RedisError:
            pass
