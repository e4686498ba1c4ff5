"""The leaderboard store's interface and the values that cross it.

Two implementations: `RedisStore` (sorted sets and hashes in Redis, shared by every server
process; used when REDIS_URL is set) and `DatabaseStore` (computes the same numbers from the
database on each read; the embedded default). Both rank the same way:

- individuals: points, then best score, then who reached those points first (earliest
  `points_reached_at`), then user id; only people ranked now (accounts.models.User.is_ranked:
  participants, not organizers or admins, also when promoted after answering), while everybody's
  attempts count in the totals, regions and units;
- regions (county level) and organizations: points, then participants, then id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

GroupKind = Literal["region", "organization"]

# Best scores are packed below the points in one sorted-set score (a double holds integers
# exactly up to 2**53): points may reach 2**33, a best score or a participant count 2**20 - 1.
PACK_BITS = 20
PACK_MAX = (1 << PACK_BITS) - 1
# A participant who never scored has no `points_reached_at`: they sort after everyone who did.
NEVER_MS = 9_999_999_999_999


class StoreUnavailable(Exception):
    """The store's backend (Redis) did not answer. The database still holds the truth."""


class StoreNotBuilt(Exception):
    """The store holds nothing for this competition yet (first use, or Redis lost its data)."""


@dataclass(frozen=True, slots=True)
class Counts:
    participants: int = 0
    attempts: int = 0
    points: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"participants": self.participants, "attempts": self.attempts, "points": self.points}


@dataclass(frozen=True)
class SubmissionRecord:
    """What one submitted attempt changes, read from the database after its commit."""

    competition_id: int
    competition_stamp: str
    attempt_id: int
    user_id: int
    user_name: str
    # accounts.models.User.is_ranked when the attempt is recorded: counted in every total either
    # way, listed in the individual ranking only when True.
    ranked: bool
    score: int
    submitted_at: datetime
    # The attempt's region and every region above it, root first: each gets the attempt in its totals.
    region_ids: tuple[int, ...]
    region_names: tuple[tuple[str, str], ...]  # (zh, en) for each of region_ids
    county_id: int | None  # the region ranked in the `region` scope
    organization_id: int | None
    organization_name: str
    # The participant's Participation row as it stands after this submission.
    points: int
    best_score: int
    submitted_attempts: int
    points_reached_at: datetime | None


@dataclass(frozen=True, slots=True)
class IndividualEntry:
    user_id: int
    name: str
    points: int
    best_score: int
    attempts: int


@dataclass(frozen=True, slots=True)
class GroupEntry:
    id: int
    name_zh: str
    name_en: str
    points: int
    participants: int
    attempts: int


@dataclass(frozen=True)
class LiveNumbers:
    """Every figure a dashboard may show, for all regions; scoping happens per viewer afterwards."""

    competition_id: int
    version: int
    updated_at: datetime | None
    totals: Counts
    regions: dict[int, Counts]
    # Per region node: its last counted submission (a scoped viewer's "last submission").
    region_updated: dict[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class IndividualRow:
    user_id: int
    name: str
    points: int
    best_score: int
    attempts: int
    points_reached_at: datetime | None
    # Listed in the individual ranking (User.is_ranked); an unranked participant still counts
    # among the participants of the totals, regions and units.
    ranked: bool = True


@dataclass
class CompetitionSnapshot:
    """The whole content of one competition's leaderboard, computed from the database."""

    competition_id: int
    competition_stamp: str
    attempt_ids: list[int]
    updated_at: datetime | None
    totals: Counts
    individuals: list[IndividualRow]
    regions: dict[int, Counts]
    region_names: dict[int, tuple[str, str]]
    county_ids: set[int]
    organizations: dict[int, Counts]
    organization_names: dict[int, str]
    # Who already counts as a participant of which region node / unit: (group id, user id).
    region_users: set[tuple[int, int]] = field(default_factory=set)
    region_updated: dict[int, datetime] = field(default_factory=dict)
    organization_users: set[tuple[int, int]] = field(default_factory=set)
    # {region id or 0 for the whole competition: {bucket start (epoch s): (attempts, new participants)}}
    timeline: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)


def individual_sort_key(points: int, best_score: int, reached_at: datetime | None, user_id: int) -> tuple:
    """Ascending order of this key is the ranking order (both stores use it)."""
    return (-points, -min(best_score, PACK_MAX), reached_ms(reached_at), user_id)


def group_sort_key(entry: GroupEntry) -> tuple:
    return (-entry.points, -min(entry.participants, PACK_MAX), entry.id)


def reached_ms(moment: datetime | None) -> int:
    return NEVER_MS if moment is None else int(moment.timestamp() * 1000)


def bucket_of(moment: datetime, width: int) -> int:
    epoch = int(moment.timestamp())
    return epoch - epoch % width


def cumulative_timeline(buckets: Iterable[tuple[int, int, int]], width: int) -> list[dict]:
    """[(bucket start, attempts, new participants)] into cumulative points for the chart."""
    points = []
    attempts = participants = 0
    for start, added_attempts, added_participants in sorted(buckets):
        attempts += added_attempts
        participants += added_participants
        points.append({"t": start, "attempts": attempts, "participants": participants})
    return points


class LeaderboardStore(Protocol):
    """What the services and selectors need from a leaderboard store."""

    #: True when reads run SQL (the embedded store); the Redis store reads without it.
    reads_use_database: bool

    def record_submission(self, record: SubmissionRecord) -> bool:
        """Apply one submitted attempt; False when it was already counted (idempotent per attempt).

        Raises StoreNotBuilt when the competition must be rebuilt first, StoreUnavailable when
        the backend is down.
        """
        ...

    def set_ranked(self, competition_id: int, user_id: int, ranked: bool) -> bool:
        """List (True) or unlist one person in the individual ranking after a role change; their
        attempts keep counting in the totals, regions and units. True when the store changed."""
        ...

    def recorded_attempts(self, competition_stamp: str, attempt_ids: list[int]) -> set[int]:
        """Which of these attempts of one competition (`competition_stamp`, as in SubmissionRecord)
        `record_submission` has applied: the outbox drain deletes their rows without recording
        them again. None of them when the store holds another competition under that id."""
        ...

    def replace(self, snapshot: CompetitionSnapshot) -> None:
        """Make the store hold exactly `snapshot` for its competition (the rebuild)."""
        ...

    def version(self, competition_id: int) -> int | None:
        """A number that changes whenever the competition's figures change; None if not built."""
        ...

    def live_numbers(self, competition_id: int, prefetched: Any = None) -> LiveNumbers:
        """Every figure of the competition. `prefetched` (here and in `group_top`): the reply of the
        Redis store's `*_call` read sent ahead with the caller's token; other stores ignore it."""
        ...

    def individual_top(
        self, competition_id: int, limit: int
    ) -> tuple[list[IndividualEntry], datetime | None]:
        """The first `limit` participants in ranking order, and when the figures last changed."""
        ...

    def individual_board(
        self, competition_id: int, limit: int, viewer_id: int | None
    ) -> tuple[list[IndividualEntry], datetime | None, tuple[int, IndividualEntry] | None]:
        """`individual_top` and, for a viewer, their `individual_position` (None without one), read
        together (one round trip on Redis)."""
        ...

    def individual_position(self, competition_id: int, user_id: int) -> tuple[int, IndividualEntry] | None:
        """(1-based rank, entry) of one participant, or None when they have no submitted attempt."""
        ...

    def group_top(
        self, competition_id: int, kind: GroupKind, limit: int, prefetched: Any = None
    ) -> tuple[list[GroupEntry], datetime | None]:
        """The first `limit` counties or units in ranking order, and when the figures last changed."""
        ...

    def timeline(
        self, competition_id: int, region_id: int | None, bucket_seconds: int
    ) -> list[tuple[int, int, int]]:
        """[(bucket start, attempts, new participants)] for the competition or one region's subtree."""
        ...
