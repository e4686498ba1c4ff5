"""Finalising attempts: scoring a locked attempt once and recording it (Participation, the
`attempt_scored` event), and the rule that an attempt left past its deadline is scored as it stood.

Used by submission (quiz/services/attempts.py), the lazy finalising on read (APIs and pages),
`manage.py expire_attempts` and the practice rounds. Lock order as in quiz/services/attempts.py:
the Attempt row first, then an UPDATE of the Participation row.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from psycopg.types.json import Jsonb

from quiz.events import ScoredAttempt, attempt_scored_publish
from quiz.models import Attempt, AttemptItem, Competition, Participation
from quiz.services import scoring


def grace() -> timedelta:
    return timedelta(seconds=settings.ATTEMPT_GRACE_SECONDS)


def attempt_is_overdue(*, attempt: Attempt, now: datetime) -> bool:
    """True when an in-progress attempt is past its deadline plus the grace: it can only be finalised."""
    return attempt.status == Attempt.Status.IN_PROGRESS and now > attempt.deadline + grace()


def attempt_with_items(*, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.select_related("competition").prefetch_related("items").get(pk=attempt_id)
    return attempt


def item_score(*, item: AttemptItem, competition: Competition) -> scoring.ItemScore:
    return scoring.score_item(
        question_type=item.type,
        correct=item.correct,
        selected=item.selected,
        points_per_correct=competition.points_per_correct,
        mode=competition.scoring_mode,
    )


def finalize_locked_attempt(
    *, attempt: Attempt, items: list[AttemptItem], submitted_at: datetime, user=None
) -> None:
    """Score a locked in-progress attempt from its items' selections and record it everywhere.

    Precondition: inside transaction.atomic(), the attempt row locked, `items` are all its items.
    Writes: the items (one bulk UPDATE), the attempt, the Participation row (one UPDATE, not for
    practice) and publishes `attempt_scored` after commit (not for practice; quiz/events.py).
    With `user` (the submitter) on PostgreSQL it hands the subscribers what it knows
    (quiz.events.ScoredAttempt, totals from `UPDATE ... RETURNING`), so they read nothing back.
    """
    competition = attempt.competition
    correct_count = 0
    total = 0
    for item in items:
        result = item_score(item=item, competition=competition)
        item.is_correct, item.points = result.is_correct, result.points
        correct_count += result.is_correct
        total += result.points
    time_limit = int((attempt.deadline - attempt.started_at).total_seconds())
    duration = min(time_limit, max(0, math.ceil((submitted_at - attempt.started_at).total_seconds())))
    total += scoring.speed_bonus(
        max_points=competition.speed_bonus_max_points,
        time_limit_seconds=time_limit,
        duration_seconds=duration,
        correct_count=correct_count,
        question_count=len(items),
    )
    store_scored_items(items=items)
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = submitted_at
    attempt.duration_seconds = duration
    attempt.correct_count = correct_count
    attempt.score = total
    attempt.save(update_fields=["status", "submitted_at", "duration_seconds", "correct_count", "score"])
    attempt._prefetched_objects_cache = {"items": items}
    if attempt.is_practice:
        return
    totals = _participation_add(attempt=attempt, total=total, submitted_at=submitted_at)
    scored = None
    if totals is not None and user is not None:
        scored = ScoredAttempt(
            attempt_id=attempt.pk,
            competition_id=attempt.competition_id,
            competition_created_at=competition.created_at,
            user_id=attempt.user_id,
            user_name=str(user),
            score=total,
            submitted_at=submitted_at,
            region_id=attempt.region_id,
            organization_id=attempt.organization_id,
            **totals,
        )
    attempt_scored_publish(attempt_id=attempt.pk, competition_id=attempt.competition_id, scored=scored)


_PARTICIPATION_ADD_SQL = """
UPDATE quiz_participation
SET points = points + %(total)s, best_score = GREATEST(best_score, %(total)s),
    submitted_attempts = submitted_attempts + 1,
    points_reached_at = CASE WHEN %(total)s > 0 THEN %(at)s ELSE points_reached_at END
WHERE user_id = %(user)s AND competition_id = %(competition)s
RETURNING points, best_score, submitted_attempts, points_reached_at
"""
_TOTALS = ("points", "best_score", "submitted_attempts", "points_reached_at")


def _participation_add(*, attempt: Attempt, total: int, submitted_at: datetime) -> dict[str, Any] | None:
    """Add a scored attempt to its Participation row; on PostgreSQL returns the row's new totals
    (`UPDATE ... RETURNING`: what the leaderboard would otherwise read back after commit)."""
    if connection.vendor == "postgresql":
        params = {
            "total": total,
            "at": submitted_at,
            "user": attempt.user_id,
            "competition": attempt.competition_id,
        }
        with connection.cursor() as cursor:
            cursor.execute(_PARTICIPATION_ADD_SQL, params)
            row = cursor.fetchone()
        if row is not None:
            return dict(zip(_TOTALS, row, strict=True))
        updated = 0
    else:
        changes: dict[str, Any] = {
            "points": F("points") + total,
            "best_score": Greatest(F("best_score"), Value(total)),
            "submitted_attempts": F("submitted_attempts") + 1,
        }
        if total > 0:  # the tie-breaker "who got there first" moves only when points rise
            changes["points_reached_at"] = submitted_at
        updated = Participation.objects.filter(
            user_id=attempt.user_id, competition_id=attempt.competition_id
        ).update(**changes)
    if not updated:  # an attempt made outside attempt_start (admin, fixtures): create the row
        Participation.objects.create(
            user_id=attempt.user_id,
            competition_id=attempt.competition_id,
            region_id=attempt.region_id,
            organization_id=attempt.organization_id,
            points=total,
            best_score=total,
            submitted_attempts=1,
            points_reached_at=submitted_at if total > 0 else None,
        )
    return None


def store_scored_items(*, items: list[AttemptItem]) -> None:
    """Write the scored items of one attempt (selected, answered_at, is_correct, points).

    On PostgreSQL one `UPDATE ... FROM (VALUES ...)`: Django's `bulk_update` builds a CASE per
    field and item and was about 30 % of the submit path's CPU (BENCHMARKS.md; bench/micro.py
    measures both). Elsewhere (SQLite in development) `bulk_update`. Caller holds the attempt lock.
    """
    if not items:
        return
    if connection.vendor != "postgresql":
        AttemptItem.objects.bulk_update(items, ["selected", "answered_at", "is_correct", "points"])
        return
    rows = ", ".join(["(%s, %s::jsonb, %s::timestamptz, %s::boolean, %s::integer)"] * len(items))
    params: list[Any] = []
    for item in items:
        selected = None if item.selected is None else Jsonb(item.selected)
        params += [item.pk, selected, item.answered_at, item.is_correct, item.points]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quiz_attemptitem AS i SET selected = v.selected, answered_at = v.answered_at, "  # noqa: S608
            "is_correct = v.is_correct, points = v.points "
            f"FROM (VALUES {rows}) AS v(id, selected, answered_at, is_correct, points) WHERE i.id = v.id",
            params,
        )


def attempt_expire_overdue(
    *,
    user=None,
    competition: Competition | None = None,
    attempt_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Finalise in-progress attempts past their deadline plus grace, scored as they stood.

    Narrowed to one user, competition or attempt when given (the APIs call it lazily before
    showing or starting attempts; `manage.py expire_attempts` sweeps everything). Each attempt
    is locked and re-checked, so it is finalised exactly once even when several callers race.
    Its end time is its deadline. Returns how many were finalised.
    """
    now = now or timezone.now()
    overdue = Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now - grace())
    if user is not None:
        overdue = overdue.filter(user=user)
    if competition is not None:
        overdue = overdue.filter(competition=competition)
    if attempt_id is not None:
        overdue = overdue.filter(pk=attempt_id)
    finalized = 0
    for pk in list(overdue.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",))
                .select_related("competition")
                .filter(pk=pk)
                .first()
            )
            if attempt is None or not attempt_is_overdue(attempt=attempt, now=now):
                continue
            items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
            finalize_locked_attempt(attempt=attempt, items=items, submitted_at=attempt.deadline)
            finalized += 1
    return finalized


def attempt_finalise_if_overdue(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """The rule "an overdue attempt is finalised when it is read" (the API's and the site's detail).

    An attempt still in progress past its deadline plus grace (the phone was closed) is scored as it
    stood before anyone sees it; returns it read again with its items, or `attempt` unchanged when
    it was not overdue. The lists call attempt_expire_overdue(user=...) for the same rule.
    """
    if not attempt_is_overdue(attempt=attempt, now=now or timezone.now()):
        return attempt
    attempt_expire_overdue(attempt_id=attempt.pk, now=now)
    return attempt_with_items(attempt_id=attempt.pk)
