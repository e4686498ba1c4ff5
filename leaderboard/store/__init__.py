"""The leaderboard store: Redis when REDIS_URL is set, the database-backed embedded store otherwise."""

from django.conf import settings

from leaderboard.store.base import (
    CompetitionSnapshot,
    Counts,
    GroupEntry,
    GroupKind,
    IndividualEntry,
    LeaderboardStore,
    LiveNumbers,
    StoreNotBuilt,
    StoreUnavailable,
    SubmissionRecord,
)
from leaderboard.store.database import DatabaseStore, competition_stamp, snapshot_from_database
from leaderboard.store.redis_store import RedisStore

__all__ = [
    "CompetitionSnapshot",
    "Counts",
    "DatabaseStore",
    "GroupEntry",
    "GroupKind",
    "IndividualEntry",
    "LeaderboardStore",
    "LiveNumbers",
    "RedisStore",
    "StoreNotBuilt",
    "StoreUnavailable",
    "SubmissionRecord",
    "competition_stamp",
    "get_store",
    "snapshot_from_database",
]

_redis_store = RedisStore()
_database_store = DatabaseStore()


def get_store() -> LeaderboardStore:
    """The store for the current settings (read each call, so tests can switch REDIS_URL)."""
    return _redis_store if settings.REDIS_URL else _database_store
