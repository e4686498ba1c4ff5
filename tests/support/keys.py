"""Live-leaderboard key isolation: the services tier shares one Redis db between test runs whose
competition ids repeat, so every test that writes leaderboard keys writes them under a prefix of its own."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.test import override_settings

from core import redis as redis_client
from leaderboard import catalog


@contextlib.contextmanager
def private_leaderboard_keys(label: str = "test") -> Iterator[str]:
    """A Redis key prefix of its own (`<label>-<random>`), its keys removed afterwards."""
    prefix = f"{label}-{uuid.uuid4().hex[:12]}"
    with override_settings(LEADERBOARD_KEY_PREFIX=prefix):
        catalog.invalidate_region_catalog()
        try:
            yield prefix
        finally:
            catalog.invalidate_region_catalog()
            if settings.REDIS_URL:
                try:
                    client = redis_client.get_client()
                    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
                    if keys:
                        client.delete(*keys)
                except redis_client.RedisError:
                    pass
