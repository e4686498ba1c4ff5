"""Finalising attempts: scoring a locked attempt once and recording it (Participation, the
`attempt_scored` event), and the rule that an attempt left past its deadline is scored as it stood.

Used by submission (quiz/services/attempts.py), the lazy finalising on read (APIs and pages),
`manage.py expire_attempts` and the practice rounds. Lock order as in quiz/services/attempts.py:
the Attempt row first, then an UPDATE of the Participation row.
"""

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from quiz.events import ScoredAttempt, attempt_scored_after_commit, attempt_scored_publish
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


@dataclass(frozen=True)
class Submitter:
    """Who submitted, as the scoring transaction read them: what the leaderboard's hand-over
    needs besides the score (quiz.events.ScoredAttempt)."""

    name: str
    ranked: bool
    organization_name: str


@dataclass
class LockedAttempt:
    """An attempt as attempt_lock_with_items read it: its competition loaded, its items by
    position, each item's row version (for finalize_locked_attempt's `item_versions`) and the
    submitter."""

    attempt: Attempt
    items: list[AttemptItem]
    item_versions: list[str]
    submitter: Submitter


@cache
def _concrete(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(model._meta.concrete_fields)


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in _concrete(model))


@cache
def _submitter_fields() -> tuple[str, ...]:
    """What str(user) and User.is_ranked read, in the model's order (Model.from_db takes that)."""
    wanted = {"id", "username", "display_name", "role", "is_staff", "is_superuser"}
    return tuple(field.attname for field in _concrete(User) if field.attname in wanted)


@cache
def _lock_with_items_sql() -> str:
    quote = connection.ops.quote_name
    attempt = ", ".join(f"a.{quote(f.column)}" for f in _concrete(Attempt))
    competition = ", ".join(f"c.{quote(f.column)}" for f in _concrete(Competition))
    user = ", ".join(f"u.{quote(User._meta.get_field(name).column)}" for name in _submitter_fields())
    return f"""
SELECT {attempt}, {competition}, {user}, o.name, (
    SELECT json_agg(json_build_array(i.xmin::text, row_to_json(i)) ORDER BY i.position)
    FROM quiz_attemptitem AS i WHERE i.attempt_id = a.id)
FROM quiz_attempt AS a
JOIN quiz_competition AS c ON c.id = a.competition_id
JOIN accounts_user AS u ON u.id = a.user_id
LEFT JOIN accounts_organization AS o ON o.id = a.organization_id
WHERE a.id = %(attempt)s AND a.user_id = %(user)s
FOR UPDATE OF a
"""  # noqa: S608 - column names from the models, values are parameters


def _from_row(model: type[models.Model], values: list[Any]) -> Any:
    """An instance from a raw row in concrete-field order, converted as the ORM would (JSON)."""
    converted = [
        field.from_db_value(value, None, connection)
        if value is not None and hasattr(field, "from_db_value")
        else value
        for field, value in zip(_concrete(model), values, strict=True)
    ]
    return model.from_db(connection.alias, _attnames(model), converted)


@cache
def _item_columns() -> tuple[tuple[str, bool], ...]:
    """(column, is a timestamp) of each AttemptItem field, in the model's order."""
    return tuple((field.column, isinstance(field, models.DateTimeField)) for field in _concrete(AttemptItem))


def _item_from_json(row: dict[str, Any]) -> AttemptItem:
    """An item from its `row_to_json` (JSON fields arrive parsed; timestamps as ISO 8601 text)."""
    values = [
        datetime.fromisoformat(row[column]) if timestamp and row[column] is not None else row[column]
        for column, timestamp in _item_columns()
    ]
    return AttemptItem.from_db(connection.alias, _attnames(AttemptItem), values)


def attempt_lock_with_items(*, attempt_id: int, user_id: int) -> LockedAttempt | None:
    """The caller's attempt locked (FOR UPDATE), with its competition, its items and what the
    leaderboard's hand-over needs of the submitter (name, role, unit name), in one statement;
    None when it is not the caller's or does not exist. PostgreSQL only; inside transaction.atomic().

    The items are read in the statement's snapshot, taken before the lock was granted: a save that
    committed while this waited is not in them. `item_versions` lets the scoring statement see that
    (finalize_locked_attempt raises ItemsChanged, and the caller reads again).
    """
    with connection.cursor() as cursor:
        cursor.execute(_lock_with_items_sql(), {"attempt": attempt_id, "user": user_id})
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_concrete(Attempt))
    attempt = _from_row(Attempt, row[:split])
    user_at = split + len(_concrete(Competition))
    competition = _from_row(Competition, row[split:user_at])
    Attempt.competition.field.set_cached_value(attempt, competition)
    fields = _submitter_fields()
    user = User.from_db(connection.alias, fields, row[user_at : user_at + len(fields)])
    pairs = row[-1] or []
    return LockedAttempt(
        attempt=attempt,
        items=[_item_from_json(item) for _version, item in pairs],
        item_versions=[version for version, _item in pairs],
        submitter=Submitter(name=str(user), ranked=user.is_ranked, organization_name=row[-2] or ""),
    )


class ItemsChanged(Exception):
    """The items changed between the read that locked the attempt and the scoring statement (an
    answer saved while the submission waited for the lock): nothing is kept, score it again."""


def finalize_locked_attempt(
    *,
    attempt: Attempt,
    items: list[AttemptItem],
    submitted_at: datetime,
    submitter: Submitter | None = None,
    item_versions: list[str] | None = None,
) -> None:
    """Score a locked in-progress attempt from its items' selections and record it everywhere.

    Precondition: inside transaction.atomic(), the attempt row locked, `items` are all its items.
    Writes the items, the attempt, the Participation row (not for practice) and the outbox row of
    `attempt_scored` (not for practice; published after commit, quiz/events.py): on PostgreSQL in
    one statement (`_store_scored_attempt`), elsewhere with the ORM.
    With `submitter` (attempt_lock_with_items) on PostgreSQL it hands the subscribers all they need
    (quiz.events.ScoredAttempt, totals from `UPDATE ... RETURNING`), so they read nothing back.
    `item_versions` (each item's row version as the caller read it, attempt_lock_with_items):
    raises ItemsChanged, writing nothing, when an item changed since.
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
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = submitted_at
    attempt.duration_seconds = duration
    attempt.correct_count = correct_count
    attempt.score = total
    attempt._prefetched_objects_cache = {"items": items}
    if _writes_in_one_statement():
        totals = _store_scored_attempt(attempt=attempt, items=items, item_versions=item_versions)
    else:
        store_scored_items(items=items)
        attempt.save(update_fields=["status", "submitted_at", "duration_seconds", "correct_count", "score"])
        if attempt.is_practice:
            return
        _participation_add(attempt=attempt, total=total, submitted_at=submitted_at)
        attempt_scored_publish(attempt_id=attempt.pk, competition_id=attempt.competition_id)
        return
    if attempt.is_practice:
        return
    scored = None
    if totals is not None and submitter is not None:
        scored = ScoredAttempt(
            attempt_id=attempt.pk,
            competition_id=attempt.competition_id,
            competition_created_at=competition.created_at,
            user_id=attempt.user_id,
            user_name=submitter.name,
            score=total,
            submitted_at=submitted_at,
            region_id=attempt.region_id,
            organization_id=attempt.organization_id,
            organization_name=submitter.organization_name,
            ranked=submitter.ranked,
            **totals,
        )
    attempt_scored_after_commit(attempt_id=attempt.pk, scored=scored)


def _writes_in_one_statement() -> bool:
    """PostgreSQL scores in one statement; elsewhere (SQLite) the ORM writes. (Tests compare both.)"""
    return connection.vendor == "postgresql"


# Scoring on PostgreSQL, one statement (the caller holds the attempt's lock): the items, the attempt,
# the Participation row's totals (returned: what the leaderboard would otherwise read back after
# commit) and the outbox row of `attempt_scored` (quiz/events.py), none of the last two for practice.
# `changed` counts the items whose row version (xmin) is not the one the caller read: a save that
# committed while the caller's locking read waited saw a snapshot older than the lock.
_STORE_SCORED_ATTEMPT_SQL = """
WITH v AS (
    SELECT * FROM jsonb_to_recordset(%(items)s::jsonb) AS v(
        id bigint, selected jsonb, answered_at timestamptz, is_correct boolean, points integer, version text)
), changed AS (
    SELECT count(*) AS n FROM quiz_attemptitem AS i JOIN v ON v.id = i.id WHERE i.xmin::text <> v.version
), items AS (
    UPDATE quiz_attemptitem AS i
    SET selected = v.selected, answered_at = v.answered_at, is_correct = v.is_correct, points = v.points
    FROM v WHERE i.id = v.id
), attempt AS (
    UPDATE quiz_attempt
    SET status = %(status)s, submitted_at = %(at)s, duration_seconds = %(duration)s,
        correct_count = %(correct)s, score = %(score)s
    WHERE id = %(attempt)s
), participation AS (
    UPDATE quiz_participation
    SET points = points + %(score)s, best_score = GREATEST(best_score, %(score)s),
        submitted_attempts = submitted_attempts + 1,
        points_reached_at = CASE WHEN %(score)s > 0 THEN %(at)s ELSE points_reached_at END
    WHERE user_id = %(user)s AND competition_id = %(competition)s AND %(counted)s
    RETURNING points, best_score, submitted_attempts, points_reached_at
), outbox AS (
    INSERT INTO quiz_attemptscoredoutbox (attempt_id, competition_id, created_at)
    SELECT %(attempt)s, %(competition)s, %(now)s WHERE %(counted)s
    ON CONFLICT DO NOTHING
)
SELECT (SELECT n FROM changed), p.points, p.best_score, p.submitted_attempts, p.points_reached_at
FROM (VALUES (1)) AS one (x) LEFT JOIN participation AS p ON true
"""
_TOTALS = ("points", "best_score", "submitted_attempts", "points_reached_at")


def _store_scored_attempt(
    *, attempt: Attempt, items: list[AttemptItem], item_versions: list[str] | None
) -> dict[str, Any] | None:
    """Write a scored attempt on PostgreSQL (`_STORE_SCORED_ATTEMPT_SQL`); returns the
    Participation row's new totals, or None for practice or when the row had to be created."""
    versions = item_versions or [None] * len(items)
    rows = [
        {
            "id": item.pk,
            "selected": item.selected,
            "answered_at": None if item.answered_at is None else item.answered_at.isoformat(),
            "is_correct": item.is_correct,
            "points": item.points,
            "version": version,
        }
        for item, version in zip(items, versions, strict=True)
    ]
    counted = not attempt.is_practice
    params = {
        "items": json.dumps(rows),
        "status": attempt.status,
        "at": attempt.submitted_at,
        "duration": attempt.duration_seconds,
        "correct": attempt.correct_count,
        "score": attempt.score,
        "attempt": attempt.pk,
        "user": attempt.user_id,
        "competition": attempt.competition_id,
        "counted": counted,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_STORE_SCORED_ATTEMPT_SQL, params)
        changed, *totals = cursor.fetchone()
    if changed:
        raise ItemsChanged  # the caller's atomic block undoes the statement
    if not counted:
        return None
    if totals[0] is None:  # an attempt made outside attempt_start (admin, fixtures): create the row
        _participation_create(attempt=attempt, total=attempt.score, submitted_at=attempt.submitted_at)
        return None
    return dict(zip(_TOTALS, totals, strict=True))


def _participation_add(*, attempt: Attempt, total: int, submitted_at: datetime) -> None:
    """Add a scored attempt to its Participation row (the ORM path; on PostgreSQL
    `_store_scored_attempt` does it in its statement)."""
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
        _participation_create(attempt=attempt, total=total, submitted_at=submitted_at)


def _participation_create(*, attempt: Attempt, total: int, submitted_at: datetime) -> None:
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


def store_scored_items(*, items: list[AttemptItem]) -> None:
    """Write the scored items of one attempt (selected, answered_at, is_correct, points) with the
    ORM (`bulk_update`): SQLite in development. On PostgreSQL finalize_locked_attempt writes them
    in its one statement (a `bulk_update` builds a CASE per field and item and was about 30 % of
    the submit path's CPU; BENCHMARKS.md, bench/micro.py measures both). Caller holds the attempt lock.
    """
    if items:
        AttemptItem.objects.bulk_update(items, ["selected", "answered_at", "is_correct", "points"])


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
