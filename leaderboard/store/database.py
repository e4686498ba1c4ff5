"""The database side of the leaderboard: the exact snapshot (what a rebuild writes) and the
embedded store that answers every read from the database (no Redis needed).

Counting rules, shared by both stores because the rebuild uses `snapshot_from_database`:
- only submitted, non-practice attempts of a non-practice competition count;
- an attempt counts in its region snapshot and every region above it, and in its unit;
- `participants` of a region or unit are the distinct people with such an attempt there;
- individuals come from Participation (points, best score, points_reached_at), ranked people
  only (`ranked_users_q`: a participant promoted to organizer or admin leaves the ranking).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Max, Q

from accounts.models import Organization, ranked_users_q
from leaderboard.catalog import RegionCatalog, region_catalog
from leaderboard.store.base import (
    CompetitionSnapshot,
    Counts,
    GroupEntry,
    GroupKind,
    IndividualEntry,
    IndividualRow,
    LiveNumbers,
    SubmissionRecord,
    bucket_of,
    group_sort_key,
)
from quiz.models import Attempt, Competition, Participation


def competition_stamp(*, competition_id: int, created_at: datetime) -> str:
    """Identifies one competition across database resets (test databases reuse ids)."""
    return f"{competition_id}:{int(created_at.timestamp() * 1_000_000)}"


def _counted_attempts(competition_id: int):
    return Attempt.objects.filter(
        competition_id=competition_id,
        competition__is_practice=False,
        status=Attempt.Status.SUBMITTED,
        is_practice=False,
    )


class _Tally:
    """Adds attempts up per region node and unit, counting each person once per group."""

    def __init__(self, catalog: RegionCatalog, bucket_seconds: int | None) -> None:
        self.catalog = catalog
        self.bucket_seconds = bucket_seconds
        self.totals = [0, 0, 0]  # participants, attempts, points
        self.regions: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.organizations: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.users: set[int] = set()
        self.region_users: set[tuple[int, int]] = set()
        self.org_users: set[tuple[int, int]] = set()
        self.timeline: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.county_ids: set[int] = set()
        self.updated_at: datetime | None = None
        self.region_updated: dict[int, datetime] = {}
        self.attempt_ids: list[int] = []

    def add(self, attempt_id, user_id, score, submitted_at, region_id, organization_id) -> None:
        self.attempt_ids.append(attempt_id)
        if submitted_at and (self.updated_at is None or submitted_at > self.updated_at):
            self.updated_at = submitted_at
        bucket = (
            bucket_of(submitted_at, self.bucket_seconds) if self.bucket_seconds and submitted_at else None
        )
        new_user = user_id not in self.users
        self.users.add(user_id)
        self.totals[0] += new_user
        self.totals[1] += 1
        self.totals[2] += score
        if bucket is not None:
            self.timeline[0][bucket][0] += 1
            self.timeline[0][bucket][1] += new_user
        if region_id:
            for rid in self.catalog.ancestors(region_id):
                counts = self.regions[rid]
                new_here = (rid, user_id) not in self.region_users
                self.region_users.add((rid, user_id))
                counts[0] += new_here
                counts[1] += 1
                counts[2] += score
                if submitted_at and (
                    rid not in self.region_updated or submitted_at > self.region_updated[rid]
                ):
                    self.region_updated[rid] = submitted_at
                if bucket is not None:
                    self.timeline[rid][bucket][0] += 1
                    self.timeline[rid][bucket][1] += new_here
            county = self.catalog.county_of(region_id)
            if county is not None:
                self.county_ids.add(county)
        if organization_id:
            counts = self.organizations[organization_id]
            new_here = (organization_id, user_id) not in self.org_users
            self.org_users.add((organization_id, user_id))
            counts[0] += new_here
            counts[1] += 1
            counts[2] += score


def _tally(competition_id: int, *, bucket_seconds: int | None) -> _Tally:
    rows = (
        _counted_attempts(competition_id)
        .order_by("submitted_at", "id")
        .values_list("id", "user_id", "score", "submitted_at", "region_id", "organization_id")
    )
    tally = _Tally(region_catalog(), bucket_seconds)
    for row in rows.iterator(chunk_size=5000):
        if row[4] and row[4] not in tally.catalog.regions:
            tally.catalog = region_catalog(require=row[4])
        tally.add(*row)
    return tally


def _ranked_participations(competition_id: int):
    """Who the individual ranking lists: ranked people with a counted attempt."""
    return Participation.objects.filter(
        ranked_users_q("user__"), competition_id=competition_id, submitted_attempts__gt=0
    )


def _individual_rows(
    competition_id: int, limit: int | None = None, *, ranked_only: bool = True
) -> list[IndividualRow]:
    """Participation rows in ranking order; with `ranked_only=False` (the snapshot) everybody
    with a counted attempt, each marked ranked or not."""
    qs = (
        Participation.objects.filter(
            competition_id=competition_id, competition__is_practice=False, submitted_attempts__gt=0
        )
        .annotate(ranked=ExpressionWrapper(ranked_users_q("user__"), output_field=BooleanField()))
        .order_by("-points", "-best_score", F("points_reached_at").asc(nulls_last=True), "user_id")
        .values_list(
            "user_id",
            "user__display_name",
            "user__username",
            "points",
            "best_score",
            "submitted_attempts",
            "points_reached_at",
            "ranked",
        )
    )
    if ranked_only:
        qs = qs.filter(ranked_users_q("user__"))
    if limit is not None:
        qs = qs[:limit]
    return [
        IndividualRow(
            user_id=uid,
            name=display or username,
            points=points,
            best_score=best,
            attempts=attempts,
            points_reached_at=reached,
            ranked=ranked,
        )
        for uid, display, username, points, best, attempts, reached, ranked in qs
    ]


def snapshot_from_database(*, competition_id: int, bucket_seconds: int) -> CompetitionSnapshot:
    """The exact leaderboard of one competition, from the database (raises Competition.DoesNotExist)."""
    competition = Competition.objects.only("id", "created_at", "is_practice").get(pk=competition_id)
    tally = _tally(competition_id, bucket_seconds=bucket_seconds)
    catalog = tally.catalog
    org_names = dict(Organization.objects.filter(pk__in=list(tally.organizations)).values_list("id", "name"))
    return CompetitionSnapshot(
        competition_id=competition_id,
        competition_stamp=competition_stamp(competition_id=competition.pk, created_at=competition.created_at),
        attempt_ids=tally.attempt_ids,
        updated_at=tally.updated_at,
        totals=Counts(*tally.totals),
        individuals=_individual_rows(competition_id, ranked_only=False),
        regions={rid: Counts(*c) for rid, c in tally.regions.items()},
        region_names={
            rid: (catalog.regions[rid].name_zh, catalog.regions[rid].name_en)
            for rid in tally.regions
            if rid in catalog.regions
        },
        county_ids=tally.county_ids,
        organizations={oid: Counts(*c) for oid, c in tally.organizations.items()},
        organization_names={oid: org_names.get(oid, "") for oid in tally.organizations},
        region_users=tally.region_users,
        region_updated=tally.region_updated,
        organization_users=tally.org_users,
        timeline={
            node: {bucket: (values[0], values[1]) for bucket, values in buckets.items()}
            for node, buckets in tally.timeline.items()
        },
    )


class DatabaseStore:
    """The embedded store: nothing to keep in sync, every read asks the database.

    Right for one process and small numbers (development, the default test tier); with
    REDIS_URL set the Redis store takes over.
    """

    reads_use_database = True

    def record_submission(self, record: SubmissionRecord) -> bool:
        return True  # the database already holds it

    def recorded_attempts(self, competition_stamp: str, attempt_ids: list[int]) -> set[int]:
        return set()  # it records nothing: reads count what the database holds

    def replace(self, snapshot: CompetitionSnapshot) -> None:
        return None

    def set_ranked(self, competition_id: int, user_id: int, ranked: bool) -> bool:
        return False  # reads filter on the roles in the database

    def version(self, competition_id: int) -> int | None:
        return _counted_attempts(competition_id).count()

    def live_numbers(self, competition_id: int, prefetched: Any = None) -> LiveNumbers:
        tally = _tally(competition_id, bucket_seconds=None)
        return LiveNumbers(
            competition_id=competition_id,
            version=len(tally.attempt_ids),
            updated_at=tally.updated_at,
            totals=Counts(*tally.totals),
            regions={rid: Counts(*c) for rid, c in tally.regions.items()},
            region_updated=tally.region_updated,
        )

    def individual_top(
        self, competition_id: int, limit: int
    ) -> tuple[list[IndividualEntry], datetime | None]:
        entries = [
            IndividualEntry(
                user_id=r.user_id, name=r.name, points=r.points, best_score=r.best_score, attempts=r.attempts
            )
            for r in _individual_rows(competition_id, limit)
        ]
        return entries, _counted_attempts(competition_id).aggregate(last=Max("submitted_at"))["last"]

    def individual_board(
        self, competition_id: int, limit: int, viewer_id: int | None
    ) -> tuple[list[IndividualEntry], datetime | None, tuple[int, IndividualEntry] | None]:
        entries, updated = self.individual_top(competition_id, limit)
        mine = self.individual_position(competition_id, viewer_id) if viewer_id else None
        return entries, updated, mine

    def individual_position(self, competition_id: int, user_id: int) -> tuple[int, IndividualEntry] | None:
        row = _ranked_participations(competition_id).filter(user_id=user_id).select_related("user").first()
        if row is None:
            return None
        p, b, r = row.points, row.best_score, row.points_reached_at
        tie = Q(points=p, best_score=b)
        if r is None:
            later_or_equal = Q(points_reached_at__isnull=False) | Q(
                points_reached_at__isnull=True, user_id__lt=user_id
            )
        else:
            later_or_equal = Q(points_reached_at__lt=r) | Q(points_reached_at=r, user_id__lt=user_id)
        ahead = (
            _ranked_participations(competition_id)
            .filter(Q(points__gt=p) | Q(points=p, best_score__gt=b) | (tie & later_or_equal))
            .count()
        )
        entry = IndividualEntry(
            user_id=user_id, name=str(row.user), points=p, best_score=b, attempts=row.submitted_attempts
        )
        return ahead + 1, entry

    def group_top(
        self, competition_id: int, kind: GroupKind, limit: int, prefetched: Any = None
    ) -> tuple[list[GroupEntry], datetime | None]:
        tally = _tally(competition_id, bucket_seconds=None)
        if kind == "region":
            entries = [
                GroupEntry(
                    id=rid,
                    name_zh=tally.catalog.regions[rid].name_zh,
                    name_en=tally.catalog.regions[rid].name_en,
                    points=tally.regions[rid][2],
                    participants=tally.regions[rid][0],
                    attempts=tally.regions[rid][1],
                )
                for rid in tally.county_ids
            ]
        else:
            names = dict(
                Organization.objects.filter(pk__in=list(tally.organizations)).values_list("id", "name")
            )
            entries = [
                GroupEntry(
                    id=oid,
                    name_zh=names.get(oid, ""),
                    name_en="",
                    points=c[2],
                    participants=c[0],
                    attempts=c[1],
                )
                for oid, c in tally.organizations.items()
            ]
        return sorted(entries, key=group_sort_key)[:limit], tally.updated_at

    def timeline(
        self, competition_id: int, region_id: int | None, bucket_seconds: int
    ) -> list[tuple[int, int, int]]:
        tally = _tally(competition_id, bucket_seconds=bucket_seconds)
        buckets = tally.timeline.get(region_id or 0, {})
        return [(start, values[0], values[1]) for start, values in buckets.items()]
