"""Writes to the live leaderboard. It subscribes to quiz's `attempt_scored` event.

The database is the truth; the store (Redis, or the embedded database-backed one) is a view of it.
Every counted submission leaves an outbox row (quiz.models.AttemptScoredOutbox) in its own
transaction. The after-commit subscriber records the attempt at once (the fast path: one Redis
round trip, no SQL); `leaderboard_outbox_drain`, run every few seconds in every server process
(config/asgi.py and config/wsgi.py start it), deletes the rows whose attempts the store holds and
records the others (a process killed after the commit, a process that could not reach Redis).
Recording is idempotent per attempt id, so doing it twice is harmless.

`leaderboard_rebuild` recomputes one competition exactly; it runs from `manage.py
rebuild_leaderboards`, when a recording finds the competition missing from Redis (first
submission, or Redis lost its data), and from `leaderboard_catch_up` for open competitions that
Redis does not hold. Reads (selectors, the live poller) never write: when the store does not hold
a competition they read the database store instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from leaderboard.catalog import region_catalog
from leaderboard.store import (
    StoreNotBuilt,
    StoreUnavailable,
    SubmissionRecord,
    competition_stamp,
    get_store,
    snapshot_from_database,
)
from quiz.events import ScoredAttempt
from quiz.models import Attempt, AttemptScoredOutbox, Competition, Participation

logger = logging.getLogger(__name__)

# A rebuild re-records attempts submitted this long before it started that its snapshot missed
# (their transaction committed after the snapshot was read; their hook ran before the swap).
REBUILD_OVERLAP = timedelta(seconds=120)


@dataclass(frozen=True)
class RebuildResult:
    competition_id: int
    participants: int
    attempts: int
    points: int
    late_recorded: int


def _region_facts(region_id: int | None) -> tuple[tuple[int, ...], tuple[tuple[str, str], ...], int | None]:
    """The region and every region above it (root first), their (zh, en) names, and its county."""
    if not region_id:
        return (), (), None
    catalog = region_catalog(require=region_id)
    region_ids = catalog.ancestors(region_id)
    names = tuple((catalog.regions[r].name_zh, catalog.regions[r].name_en) for r in region_ids)
    return region_ids, names, catalog.county_of(region_id)


def _record_from_scoring(scored: ScoredAttempt) -> SubmissionRecord:
    """The record from what scoring handed over, without SQL. `ranked` is the role as the scoring
    transaction read it; a role change committed since is applied by the store all the same
    (its `set_ranked` leaves a mark that the recording honours, leaderboard/store/redis_store.py)."""
    region_ids, region_names, county_id = _region_facts(scored.region_id)
    return SubmissionRecord(
        competition_id=scored.competition_id,
        competition_stamp=competition_stamp(
            competition_id=scored.competition_id, created_at=scored.competition_created_at
        ),
        attempt_id=scored.attempt_id,
        user_id=scored.user_id,
        user_name=scored.user_name,
        ranked=scored.ranked,
        score=scored.score,
        submitted_at=scored.submitted_at,
        region_ids=region_ids,
        region_names=region_names,
        county_id=county_id,
        organization_id=scored.organization_id,
        organization_name=scored.organization_name,
        points=scored.points,
        best_score=scored.best_score,
        submitted_attempts=scored.submitted_attempts,
        points_reached_at=scored.points_reached_at,
    )


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
    region_ids, region_names, county_id = _region_facts(attempt.region_id)
    competition = attempt.competition
    return SubmissionRecord(
        competition_id=competition.pk,
        competition_stamp=competition_stamp(competition_id=competition.pk, created_at=competition.created_at),
        attempt_id=attempt.pk,
        user_id=attempt.user_id,
        user_name=str(attempt.user),
        ranked=attempt.user.is_ranked,
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


def leaderboard_record_submission_receiver(
    sender, *, attempt_id: int, scored: ScoredAttempt | None = None, **kwargs
) -> None:
    """Receiver of quiz.events.attempt_scored (connected in LeaderboardConfig.ready)."""
    leaderboard_record_submission(attempt_id=attempt_id, scored=scored)


def leaderboard_record_submission(*, attempt_id: int, scored: ScoredAttempt | None = None) -> None:
    """Hand a freshly submitted attempt to the live leaderboard: the fast path, right after commit.

    Subscribed to quiz.events.attempt_scored, once per scored attempt (calling it again for the
    same attempt changes nothing). With `scored` (what scoring knew, quiz.events.ScoredAttempt) it
    runs no SQL; without it two indexed SELECTs. With Redis one round trip; the attempt's outbox
    row is left to the next catch-up pass, which sees the attempt in the store and deletes the row
    with the others it finds there (one statement for many submissions instead of a transaction
    for each). The database store has nothing to confirm: the row is deleted at once.
    Never raises into the caller: the submission has succeeded whatever happens here. If Redis is
    down, or this fails in any way, `leaderboard_outbox_drain` (every server process, every few
    seconds) records the attempt as soon as a process reaches Redis.
    """
    try:
        # With `scored` nothing is read unless the competition must be rebuilt first.
        _read_after_commit(lambda: _record(attempt_id=attempt_id, scored=scored))
        if get_store().reads_use_database:
            AttemptScoredOutbox.objects.filter(attempt_id=attempt_id).delete()
    except StoreUnavailable as exc:
        logger.warning("Leaderboard store unavailable; attempt %s left in the outbox (%s)", attempt_id, exc)
    except Exception:  # noqa: BLE001 - the submission is committed; the outbox row keeps the hand-over
        logger.exception("Recording attempt %s on the leaderboard failed; left in the outbox", attempt_id)


# The fields of accounts.models.User that decide User.is_ranked.
RANKING_FIELDS = frozenset({"role", "is_staff", "is_superuser"})


def leaderboard_user_saved_receiver(sender, *, instance, created: bool, update_fields=None, **kwargs) -> None:
    """post_save of accounts.User (connected in LeaderboardConfig.ready): after a save that may
    have changed the role, list or unlist the person in the rankings they have entries in."""
    if created or (update_fields is not None and not RANKING_FIELDS & set(update_fields)):
        return  # a new user has no entries; a log-in (last_login) cannot change the role
    user_id, ranked = instance.pk, instance.is_ranked
    transaction.on_commit(lambda: leaderboard_user_ranking_sync(user_id=user_id, ranked=ranked))


def leaderboard_user_ranking_sync(*, user_id: int, ranked: bool) -> int:
    """Make the live rankings follow a role change: a participant promoted to organizer or admin
    leaves every individual ranking (their attempts keep counting in totals, counties and units),
    one demoted comes back. Returns how many competitions changed.

    The embedded store reads roles from the database and needs nothing; the Redis store is told
    per competition the person has a Participation row in, counted attempt or not yet: a submission
    scored before the change and recorded after it finds the store's mark (`set_ranked`,
    idempotent). Never raises:
    with Redis down it logs, and `manage.py rebuild_leaderboards` (which reads the roles) puts it
    right. Role changes made with QuerySet.update() send no signal: rebuild after them.
    """
    store = get_store()
    if store.reads_use_database:
        return 0
    competition_ids = Participation.objects.filter(
        user_id=user_id, competition__is_practice=False
    ).values_list("competition_id", flat=True)
    changed = 0
    try:
        for competition_id in competition_ids:
            changed += store.set_ranked(competition_id, user_id, ranked)
    except StoreUnavailable as exc:
        logger.warning(
            "Leaderboard store unavailable; user %s's ranking follows their role after rebuild_leaderboards (%s)",
            user_id,
            exc,
        )
    return changed


def _record(
    *, attempt_id: int, built: set[int] | None = None, scored: ScoredAttempt | None = None
) -> int | None:
    """Put one attempt on the live store; returns its competition id (None if it does not count).

    `built`: competitions rebuilt earlier in the same pass; their rebuild read this (committed)
    attempt already. Raises StoreUnavailable when Redis does not answer.
    """
    record = _record_from_scoring(scored) if scored is not None else _submission_record(attempt_id=attempt_id)
    if record is None:
        return None
    store = get_store()
    if store.reads_use_database or (built is not None and record.competition_id in built):
        return record.competition_id  # the embedded store reads the database itself
    try:
        store.record_submission(record)
    except StoreNotBuilt:
        # First submission of the competition, or Redis lost its data: the rebuild reads the
        # database, where this attempt is already committed.
        leaderboard_rebuild(competition_id=record.competition_id)
        if built is not None:
            built.add(record.competition_id)
    return record.competition_id


def leaderboard_outbox_drain(*, limit: int = 2000) -> int:
    """Consume the outbox (quiz.models.AttemptScoredOutbox): delete the rows whose attempts the
    store holds, record the others; returns how many it recorded.

    The after-commit hook leaves its row for this pass. A row whose attempt the store does not
    hold is left by a process that died between the commit and its after-commit hook, or could
    not reach Redis (or a hook still running: recording is idempotent). Every server process
    runs this every few seconds (leaderboard/worker.py), as does `manage.py leaderboard_catch_up`.
    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so processes draining
    at once share the work. A row whose recording fails for another reason than Redis being down
    has its competition rebuilt instead. Raises StoreUnavailable when Redis does not answer; what
    was consumed before that is deleted.
    """
    done: list[int] = []
    recorded = 0
    unavailable: StoreUnavailable | None = None
    with transaction.atomic():
        rows = list(
            AttemptScoredOutbox.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "attempt_id")
            .values_list("attempt_id", "competition_id", "competition__created_at")[:limit]
        )
        built: set[int] = set()
        try:
            held = _held_by_store(rows)
            for attempt_id, competition_id, _created_at in rows:
                if attempt_id in held:
                    done.append(attempt_id)
                    continue
                try:
                    _record(attempt_id=attempt_id, built=built)
                except StoreUnavailable:
                    raise
                except Exception:  # noqa: BLE001 - one bad row must not block the others forever
                    logger.exception("Recording attempt %s failed; rebuilding its competition", attempt_id)
                    if competition_id not in built:
                        leaderboard_rebuild(competition_id=competition_id)
                        built.add(competition_id)
                done.append(attempt_id)
                recorded += 1
        except StoreUnavailable as exc:
            unavailable = exc
        if done:
            AttemptScoredOutbox.objects.filter(attempt_id__in=done).delete()
    if unavailable is not None:
        raise unavailable
    return recorded


def _held_by_store(rows: list[tuple[int, int, datetime]]) -> set[int]:
    """The attempt ids of outbox rows (attempt id, competition id, its created_at) that the store
    already holds: one Redis call per competition (none with the database store, which records
    nothing)."""
    store = get_store()
    by_competition: dict[str, list[int]] = {}
    for attempt_id, competition_id, created_at in rows:
        stamp = competition_stamp(competition_id=competition_id, created_at=created_at)
        by_competition.setdefault(stamp, []).append(attempt_id)
    held: set[int] = set()
    for stamp, attempt_ids in by_competition.items():
        held |= store.recorded_attempts(stamp, attempt_ids)
    return held


def leaderboard_catch_up(*, now: datetime | None = None) -> int:
    """One pass of the background work every server process runs (leaderboard/worker.py,
    started by config/asgi.py and config/wsgi.py).

    Drains the outbox, then builds the store of each open competition that Redis does not hold
    (Redis restarted empty), so reads, which never write, find it built again within seconds.
    Returns how many attempts the drain recorded. Raises StoreUnavailable when Redis is down.
    """
    recorded = leaderboard_outbox_drain()
    store = get_store()
    if store.reads_use_database:
        return recorded
    now = now or timezone.now()
    running = Competition.objects.filter(
        is_practice=False, starts_at__lte=now, ends_at__gte=now - REBUILD_OVERLAP
    ).values_list("id", flat=True)
    for competition_id in running:
        if store.version(competition_id) is None:
            leaderboard_rebuild(competition_id=competition_id)
    return recorded


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
    totals = snapshot.totals
    return RebuildResult(
        competition_id=competition_id,
        participants=totals.participants,
        attempts=totals.attempts,
        points=totals.points,
        late_recorded=late,
    )


def leaderboard_rebuild_all(*, competition_ids: list[int] | None = None) -> list[RebuildResult]:
    """Rebuild every non-practice competition (or the given ones); what `rebuild_leaderboards` runs."""
    qs = Competition.objects.order_by("id")
    qs = qs.filter(pk__in=competition_ids) if competition_ids else qs.filter(is_practice=False)
    results = []
    for competition_id in qs.values_list("id", flat=True):
        results.append(leaderboard_rebuild(competition_id=competition_id))
    return results
