"""Writes to the live leaderboard. It subscribes to quiz's `attempt_scored` event (after commit).

The database is the truth; the store (Redis, or the embedded database-backed one) is a view of it
that can always be rebuilt: `leaderboard_rebuild` recomputes one competition exactly, and is run
- by `manage.py rebuild_leaderboards`,
- on first use of a competition, and whenever Redis lost its data (its `meta` key is missing),
- for the competitions whose submissions could not be recorded while Redis was down: the hook
  leaves a RebuildRequest row, and the first process that reaches Redis again rebuilds them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from leaderboard.catalog import region_catalog
from leaderboard.models import RebuildRequest
from leaderboard.store import (
    StoreNotBuilt,
    StoreUnavailable,
    SubmissionRecord,
    competition_stamp,
    get_store,
    snapshot_from_database,
)
from quiz.models import Attempt, Competition, Participation

logger = logging.getLogger(__name__)

# A rebuild re-records attempts submitted this long before it started that its snapshot missed
# (their transaction committed after the snapshot was read; their hook ran before the swap).
REBUILD_OVERLAP = timedelta(seconds=120)

# Per process: whether RebuildRequest rows may exist that this process has not looked at since it
# last reached Redis. True at start, so a process started after an outage checks once.
_pending_unchecked = True


@dataclass(frozen=True)
class RebuildResult:
    competition_id: int
    participants: int
    attempts: int
    points: int
    late_recorded: int


def _submission_record(*, attempt_id: int) -> SubmissionRecord | None:
    """What the attempt changes, or None when it does not count (practice, not submitted, gone)."""
    attempt = (
        Attempt.objects.select_related("user", "competition", "organization").filter(pk=attempt_id).first()
    )
    if (
        attempt is None
        or attempt.status != Attempt.Status.SUBMITTED
        or attempt.is_practice
        or attempt.competition.is_practice
        or attempt.submitted_at is None
    ):
        return None
    participation = (
        Participation.objects.filter(user_id=attempt.user_id, competition_id=attempt.competition_id)
        .values("points", "best_score", "submitted_attempts", "points_reached_at")
        .first()
    ) or {
        "points": attempt.score,
        "best_score": attempt.score,
        "submitted_attempts": 1,
        "points_reached_at": attempt.submitted_at if attempt.score else None,
    }
    region_ids: tuple[int, ...] = ()
    region_names: tuple[tuple[str, str], ...] = ()
    county_id = None
    if attempt.region_id:
        catalog = region_catalog(require=attempt.region_id)
        region_ids = catalog.ancestors(attempt.region_id)
        region_names = tuple((catalog.regions[r].name_zh, catalog.regions[r].name_en) for r in region_ids)
        county_id = catalog.county_of(attempt.region_id)
    competition = attempt.competition
    return SubmissionRecord(
        competition_id=competition.pk,
        competition_stamp=competition_stamp(competition_id=competition.pk, created_at=competition.created_at),
        attempt_id=attempt.pk,
        user_id=attempt.user_id,
        user_name=str(attempt.user),
        score=attempt.score,
        submitted_at=attempt.submitted_at,
        region_ids=region_ids,
        region_names=region_names,
        county_id=county_id,
        organization_id=attempt.organization_id,
        organization_name=attempt.organization.name if attempt.organization else "",
        points=participation["points"],
        best_score=participation["best_score"],
        submitted_attempts=participation["submitted_attempts"],
        points_reached_at=participation["points_reached_at"],
    )


def leaderboard_record_submission_receiver(sender, *, attempt_id: int, **kwargs) -> None:
    """Receiver of quiz.events.attempt_scored (connected in LeaderboardConfig.ready)."""
    leaderboard_record_submission(attempt_id=attempt_id)


def leaderboard_record_submission(*, attempt_id: int) -> None:
    """Hand a freshly submitted attempt to the live leaderboard.

    Subscribed to quiz.events.attempt_scored (sent after commit), once per scored attempt (calling it
    again for the same attempt changes nothing). Costs two indexed SELECTs and, with Redis, one
    round trip. Never raises into the caller: the submission has succeeded whatever happens here.
    If Redis is down the competition is marked for a rebuild and the numbers come back exact as
    soon as any process reaches Redis again.
    """
    global _pending_unchecked
    competition_id = None
    try:
        record = _read_after_commit(lambda: _submission_record(attempt_id=attempt_id))
        if record is None:
            return
        competition_id = record.competition_id
        store = get_store()
        if store.reads_use_database:
            return  # the embedded store reads the database itself
        if _pending_unchecked:
            leaderboard_rebuild_pending()
        try:
            store.record_submission(record)
        except StoreNotBuilt:
            # First submission of the competition, or Redis lost its data: the rebuild reads the
            # database, where this attempt is already committed.
            leaderboard_rebuild(competition_id=competition_id)
    except StoreUnavailable as exc:
        _pending_unchecked = True
        logger.warning("Leaderboard store unavailable; attempt %s not recorded live (%s)", attempt_id, exc)
        if competition_id is not None:
            _request_rebuild(competition_id=competition_id, reason=f"attempt {attempt_id}: {exc}"[:200])
    except Exception:  # noqa: BLE001 - the submission is committed; the live view must not break it
        logger.exception("Recording attempt %s on the leaderboard failed", attempt_id)
        if competition_id is not None:
            _request_rebuild(competition_id=competition_id, reason=f"attempt {attempt_id}: error")


def _read_after_commit(read):
    """`read()`, once more on a new database connection if the session died after the commit
    (a failover, a killed session): the submission is committed, and a lost read here would leave
    it out of the live figures until the next rebuild."""
    try:
        return read()
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("Database session lost after a commit; reading the submission again")
        connection.close()
        return read()


def _request_rebuild(*, competition_id: int, reason: str) -> None:
    try:
        RebuildRequest.objects.update_or_create(
            competition_id=competition_id, defaults={"requested_at": timezone.now(), "reason": reason}
        )
    except Exception:  # noqa: BLE001 - best effort; `rebuild_leaderboards` repairs everything anyway
        logger.exception("Could not mark competition %s for a leaderboard rebuild", competition_id)


def leaderboard_rebuild(*, competition_id: int) -> RebuildResult:
    """Recompute one competition's store from the database, exactly, and swap it in atomically.

    Raises quiz.models.Competition.DoesNotExist for an unknown id and StoreUnavailable when Redis
    is down. Attempts whose commit raced with the snapshot are recorded afterwards (recording is
    idempotent), so a submission arriving during a rebuild is never lost.
    """
    store = get_store()
    started = timezone.now()
    snapshot = snapshot_from_database(
        competition_id=competition_id, bucket_seconds=settings.LIVE_TIMELINE_BUCKET_SECONDS
    )
    late = 0
    if not store.reads_use_database:
        store.replace(snapshot)
        known = set(snapshot.attempt_ids)
        recent = Attempt.objects.filter(
            competition_id=competition_id,
            status=Attempt.Status.SUBMITTED,
            is_practice=False,
            submitted_at__gte=started - REBUILD_OVERLAP,
        ).values_list("id", flat=True)
        for attempt_id in recent:
            if attempt_id in known:
                continue
            record = _submission_record(attempt_id=attempt_id)
            if record is not None and store.record_submission(record):
                late += 1
    RebuildRequest.objects.filter(competition_id=competition_id, requested_at__lte=started).delete()
    totals = snapshot.totals
    return RebuildResult(
        competition_id=competition_id,
        participants=totals.participants,
        attempts=totals.attempts,
        points=totals.points,
        late_recorded=late,
    )


def leaderboard_rebuild_pending() -> list[int]:
    """Rebuild the competitions marked while Redis was down; returns their ids."""
    global _pending_unchecked
    done = []
    for competition_id in RebuildRequest.objects.values_list("competition_id", flat=True):
        try:
            leaderboard_rebuild(competition_id=competition_id)
        except Competition.DoesNotExist:
            RebuildRequest.objects.filter(competition_id=competition_id).delete()
            continue
        done.append(competition_id)
        logger.info("Leaderboard of competition %s rebuilt after Redis came back", competition_id)
    _pending_unchecked = False
    return done


def leaderboard_rebuild_all(*, competition_ids: list[int] | None = None) -> list[RebuildResult]:
    """Rebuild every non-practice competition (or the given ones); what `rebuild_leaderboards` runs."""
    qs = Competition.objects.order_by("id")
    qs = qs.filter(pk__in=competition_ids) if competition_ids else qs.filter(is_practice=False)
    results = []
    for competition_id in qs.values_list("id", flat=True):
        results.append(leaderboard_rebuild(competition_id=competition_id))
    return results


def leaderboard_ensure_built(*, competition_id: int) -> None:
    """Rebuild the competition if the store holds nothing for it (Competition.DoesNotExist if unknown)."""
    store = get_store()
    if store.reads_use_database:
        if not Competition.objects.filter(pk=competition_id).exists():
            raise Competition.DoesNotExist
        return
    if store.version(competition_id) is None:
        leaderboard_rebuild(competition_id=competition_id)
