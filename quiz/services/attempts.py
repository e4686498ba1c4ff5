"""Starting, answering and submitting attempts. Every rule of the competition is enforced here.

Locking, in one order everywhere so that nothing deadlocks:
- start: the Participation row (SELECT ... FOR UPDATE, or the ON CONFLICT lock of the PostgreSQL
  path) guards the daily quota and "one running attempt at a time"; overdue attempts are finalised
  *before* it is taken.
- save answer, submit, expiry: the Attempt row first, then (submit/expiry only) an UPDATE of the
  Participation row.

Every service takes an optional `now` so that tests can set the clock.
"""

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import ApplicationError, NotFound
from quiz.events import attempt_scored_publish
from quiz.models import Attempt, AttemptItem, Competition, Participation, Question
from quiz.services.drawing import attempt_items_create, attempt_items_freeze, draw_questions
from quiz.services.finalising import (
    ItemsChanged,
    Submitter,
    attempt_expire_overdue,
    attempt_is_overdue,
    attempt_lock_with_items,
    attempt_with_items,
    finalize_locked_attempt,
    grace,
    item_score,
)

QUOTA_TIMEZONE = ZoneInfo("Asia/Shanghai")


def _seconds_to_next_quota_day(*, now: datetime) -> int:
    """Whole seconds from `now` to the next Asia/Shanghai midnight, when the daily quota renews."""
    local = now.astimezone(QUOTA_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=QUOTA_TIMEZONE)
    return max(1, math.ceil((midnight - local).total_seconds()))


def quota_day(moment: datetime) -> date:
    """The calendar day in Asia/Shanghai that the daily quota counts."""
    return timezone.localtime(moment, QUOTA_TIMEZONE).date()


def _not_found() -> ApplicationError:
    return NotFound(_("No such attempt."))


# --- starting ------------------------------------------------------------------------------------


def _lock_participation(*, user, competition: Competition) -> None:
    """Lock the caller's Participation row until the transaction ends, creating it if need be.

    Precondition: inside transaction.atomic(). A first start costs three statements, not five:
    the INSERT ... ON CONFLICT DO NOTHING needs no savepoint when a racing start created it first.
    """
    mine = Participation.objects.select_for_update().filter(user=user, competition=competition)
    if mine.values_list("pk", flat=True).first() is not None:
        return
    Participation.objects.bulk_create(
        [
            Participation(
                user=user,
                competition=competition,
                region_id=user.region_id,
                organization_id=user.organization_id,
            )
        ],
        ignore_conflicts=True,
    )
    mine.values_list("pk", flat=True).get()


def user_is_ranked(*, user) -> bool:
    """Whether `user` may answer ranked competitions: `User.is_ranked` (participants only), the
    same rule that keeps organizers and admins out of the rankings (leaderboard/store)."""
    return user.is_ranked


def _industry_id(user) -> int | None:
    if user.industry_id or not user.organization_id:
        return user.industry_id
    return user.organization.industry_id


def attempt_start(*, user, competition: Competition, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Start an attempt, or resume the caller's running one; returns (attempt, created).

    - An in-progress attempt whose deadline plus grace has not passed is returned as it is
      (created=False): a refresh or a dropped connection never costs an attempt.
    - Attempts left overdue are finalised first (scored as they stood).
    - Outside the window, or a draft or closed competition: 409 `not_open`.
    - More than `attempts_per_day` attempts started this Asia/Shanghai day (in-progress ones
      included): 429 `daily_limit_reached`. The Participation row lock makes this hold when
      many starts race.
    - Too few active questions: 409 `not_enough_questions`.
    - Organizers and admins are not ranked: a ranked (non-practice) competition is 403
      `not_ranked_role` for them; practice is open to them.
    The returned attempt has its items prefetched (`attempt.items.all()` costs no query).
    """
    now = now or timezone.now()
    if not competition.is_practice and not user_is_ranked(user=user):
        raise ApplicationError(
            _(
                "Organizers and administrators are not ranked and cannot answer a ranked competition. "
                "Use a practice competition, or a participant account."
            ),
            code="not_ranked_role",
        )
    started = _start_in_one_round_trip(user=user, competition=competition, now=now)
    if started is not None:
        return started, True
    attempt_expire_overdue(user=user, competition=competition, now=now)
    today = quota_day(now)
    status = competition.status_at(now)
    if status != "open":
        # Closed (or not yet open): an attempt already running may still be finished.
        running = list(
            Attempt.objects.filter(
                user=user,
                competition=competition,
                kind=Attempt.Kind.COMPETITION,
                status=Attempt.Status.IN_PROGRESS,
                deadline__gte=now - grace(),
            ).values_list("pk", flat=True)
        )
        if running:
            return attempt_with_items(attempt_id=max(running)), False
        raise ApplicationError(
            _("This competition is not open for answering now."),
            code="not_open",
            extra={"status": status},
        )
    with transaction.atomic():
        _lock_participation(user=user, competition=competition)
        rows = list(
            Attempt.objects.filter(user=user, competition=competition, kind=Attempt.Kind.COMPETITION)
            .filter(Q(day=today) | Q(status=Attempt.Status.IN_PROGRESS))
            .values_list("id", "status", "deadline", "day")
        )
        running = [
            pk
            for pk, state, deadline, _day in rows
            if state == Attempt.Status.IN_PROGRESS and now <= deadline + grace()
        ]
        if running:
            return attempt_with_items(attempt_id=max(running)), False
        started_today = sum(1 for row in rows if row[3] == today)
        if started_today >= competition.attempts_per_day:
            raise ApplicationError(
                ngettext(
                    "You have used your %(n)d attempt of today. Come back tomorrow.",
                    "You have used all %(n)d attempts of today. Come back tomorrow.",
                    competition.attempts_per_day,
                )
                % {"n": competition.attempts_per_day},
                code="daily_limit_reached",
                extra={"attempts_per_day": competition.attempts_per_day},
                headers={"Retry-After": str(_seconds_to_next_quota_day(now=now))},
            )
        questions = draw_questions(competition=competition, now=now)
        attempt = Attempt.objects.create(
            user=user,
            competition=competition,
            started_at=now,
            deadline=now + timedelta(seconds=competition.time_limit_seconds),
            day=today,
            question_count=len(questions),
            region_id=user.region_id,
            organization_id=user.organization_id,
            industry_id=_industry_id(user),
            is_practice=competition.is_practice,
        )
        attempt_items_create(attempt=attempt, competition=competition, questions=questions)
    return attempt, True


# The common start on PostgreSQL: two statements sent as one query string, one round trip (the
# general path in attempt_start needs seven to ten statements). PostgreSQL runs a query string's
# statements as one transaction (or inside the caller's), each with its own snapshot.
# First the caller's Participation row is created or, when it exists, locked: ON CONFLICT DO UPDATE
# locks the conflicting row even though `WHERE false` updates nothing, and it waits for a racing
# start's lock as SELECT ... FOR UPDATE does.
_LOCK_PARTICIPATION_SQL = """
INSERT INTO quiz_participation AS p (user_id, competition_id, region_id, organization_id,
    points, best_score, submitted_attempts, points_reached_at, created_at)
VALUES (%(user)s, %(competition)s, %(region)s, %(organization)s, 0, 0, 0, NULL, %(created)s)
ON CONFLICT (user_id, competition_id) DO UPDATE SET points = p.points WHERE false
"""

# Then, under that lock and with a fresh snapshot (READ COMMITTED: the second statement sees what a
# racing start committed before it released the lock), the attempt and its items are inserted only
# when nothing stands in the way: fewer than the quota started this day, no attempt of the
# competition running (to resume) or overdue (to finalise first) and no overdue practice round.
# No row back means one of those: the general path then finds out which and acts on it.
_INSERT_ATTEMPT_SQL = """
WITH state AS (
    SELECT count(*) FILTER (WHERE kind = 'competition' AND day = %(day)s) AS started,
           count(*) FILTER (WHERE status = 'in_progress'
                            AND (kind = 'competition' OR deadline < %(overdue_before)s)) AS blocking
    FROM quiz_attempt
    WHERE user_id = %(user)s AND competition_id = %(competition)s
      AND ((kind = 'competition' AND day = %(day)s) OR status = 'in_progress')
), attempt AS (
    INSERT INTO quiz_attempt (user_id, competition_id, status, started_at, deadline, submitted_at, day,
        score, correct_count, question_count, duration_seconds, region_id, organization_id, industry_id,
        is_practice, kind, topic)
    SELECT %(user)s, %(competition)s, 'in_progress', %(now)s, %(deadline)s, NULL, %(day)s,
        0, 0, %(count)s, NULL, %(region)s, %(organization)s,
        COALESCE(%(industry)s, (SELECT industry_id FROM accounts_organization WHERE id = %(organization)s)),
        false, 'competition', ''
    FROM state WHERE state.started < %(quota)s AND state.blocking = 0
    RETURNING id, industry_id
), item AS (
    INSERT INTO quiz_attemptitem (attempt_id, question_id, position, type, stem, options, correct, key_map,
        explanation, category, selected, answered_at, is_correct, points)
    SELECT attempt.id, i.question_id, i.position, i.type, i.stem, i.options, i.correct, i.key_map,
        i.explanation, i.category, NULL, NULL, NULL, 0
    FROM attempt, jsonb_to_recordset(%(items)s) AS i(question_id bigint, position smallint, type text,
        stem text, options jsonb, correct jsonb, key_map jsonb, explanation text, category text)
    RETURNING id, position
)
SELECT attempt.id, attempt.industry_id, item.id, item.position FROM attempt, item
"""
_START_SQL = _LOCK_PARTICIPATION_SQL + ";" + _INSERT_ATTEMPT_SQL

_ITEM_FIELDS = (
    "question_id",
    "position",
    "type",
    "stem",
    "options",
    "correct",
    "key_map",
    "explanation",
    "category",
)


def _sends_statements_together() -> bool:
    """PostgreSQL with Django's default client-side binding: one execute() may carry several
    statements (server-side binding, OPTIONS["server_side_binding"], prepares one statement only)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True
    )


def _start_in_one_round_trip(*, user, competition: Competition, now: datetime) -> Attempt | None:
    """The new attempt (items prefetched), or None when the general path must decide: not
    PostgreSQL, a practice competition, not open, too few questions, an attempt to resume or to
    finalise first, or the day's quota used. The same rows as the general path writes.

    Precondition: the caller may answer `competition` (the not_ranked_role rule is checked).
    """
    if not _sends_statements_together() or competition.is_practice or competition.status_at(now) != "open":
        return None
    try:
        questions = draw_questions(competition=competition, now=now)
    except ApplicationError:
        return None  # not_enough_questions, unless there is a running attempt to resume
    from psycopg.types.json import Jsonb

    items = attempt_items_freeze(competition=competition, questions=questions)
    day = quota_day(now)
    deadline = now + timedelta(seconds=competition.time_limit_seconds)
    industry = user.industry_id or None
    params = {
        "user": user.pk,
        "competition": competition.pk,
        "region": user.region_id,
        "organization": user.organization_id,
        "created": timezone.now(),  # as auto_now_add sets it on the general path
        "day": day,
        "overdue_before": now - grace(),
        "now": now,
        "deadline": deadline,
        "count": len(items),
        "industry": industry,
        "quota": competition.attempts_per_day,
        "items": Jsonb([{name: getattr(item, name) for name in _ITEM_FIELDS} for item in items]),
    }
    with connection.cursor() as cursor:
        # Django's psycopg cursors bind on the client, which lets one execute() send both statements.
        cursor.execute(_START_SQL, params)
        cursor.nextset()  # the second statement's rows
        rows = cursor.fetchall()
    if not rows:
        return None
    attempt = Attempt(
        id=rows[0][0],
        user=user,
        competition=competition,
        status=Attempt.Status.IN_PROGRESS,
        started_at=now,
        deadline=deadline,
        day=day,
        question_count=len(items),
        region_id=user.region_id,
        organization_id=user.organization_id,
        industry_id=rows[0][1],
        is_practice=False,
        kind=Attempt.Kind.COMPETITION,
        topic="",
    )
    attempt._state.adding = False
    attempt._state.db = connection.alias
    item_ids = {position: item_id for _attempt, _industry, item_id, position in rows}
    for item in items:
        item.pk = item_ids[item.position]
        item._state.adding = False
        item._state.db = connection.alias
        item.attempt = attempt
    attempt._prefetched_objects_cache = {"items": items}
    return attempt


# --- answering -----------------------------------------------------------------------------------


def _normalised_letters(selected: Iterable[str] | None) -> list[str] | None:
    if selected is None:
        return None
    return sorted({str(letter).strip().upper() for letter in selected}) or None


def clean_selection(*, item: AttemptItem, selected: Iterable[str] | None) -> list[str] | None:
    """Letters as stored: upper case, unique, sorted; None for "not answered".

    Raises 400 `invalid_option` for a letter the question does not show, or several letters
    for a single-choice or true/false question.
    """
    letters = _normalised_letters(selected)
    if letters is None:
        return None
    shown = {option["key"] for option in item.options}
    unknown = [letter for letter in letters if letter not in shown]
    if unknown:
        raise ApplicationError(
            _("Question %(q)s has no option %(letters)s.")
            % {"q": item.question_id, "letters": ", ".join(unknown)},
            code="invalid_option",
            errors=[{"field": "selected", "message": _("Unknown option %s.") % letter} for letter in unknown],
        )
    if item.type != Question.Type.MULTIPLE and len(letters) > 1:
        raise ApplicationError(
            _("Question %s takes exactly one answer.") % item.question_id,
            code="invalid_option",
            errors=[{"field": "selected", "message": _("Choose one option.")}],
        )
    return letters


def _lock_attempt(*, user, attempt_id: int) -> Attempt:
    """The caller's attempt, locked (not its competition). Precondition: inside transaction.atomic()."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("competition")
        .filter(pk=attempt_id, user=user)
        .first()
    )
    if attempt is None:
        raise _not_found()
    return attempt


def _already_submitted() -> ApplicationError:
    return ApplicationError(
        _("This attempt has already been submitted."),
        code="already_submitted",
    )


def attempt_save_answer(
    *, user, attempt_id: int, question_id: int, selected: list[str] | None, now: datetime | None = None
) -> AttemptItem:
    """Save (or, with an empty list, clear) the caller's answer to one question of a running attempt.

    In a practice attempt the first answer is final and is scored at once (the caller may then
    show `correct`, `is_correct`, `explanation`); the same answer again is a harmless retry,
    another one is 409 `already_answered`.
    Errors: foreign or unknown attempt 404; submitted 409 `already_submitted`; past deadline
    plus grace 409 `deadline_passed` (the attempt is then finalised as it stood); a question not
    in the attempt 400 `question_not_in_attempt`; a letter it does not show 400 `invalid_option`.
    """
    now = now or timezone.now()
    saved = _save_answer_in_one_statement(
        user=user,
        attempt_id=attempt_id,
        question_id=question_id,
        letters=_normalised_letters(selected),
        now=now,
    )
    if saved is not None:
        return saved
    # Anything but the common case (practice, an error to report, past the deadline, SQLite): the
    # general path below, which finds and reports exactly what is wrong.
    with transaction.atomic():
        attempt = _lock_attempt(user=user, attempt_id=attempt_id)
        if attempt.status == Attempt.Status.SUBMITTED:
            raise _already_submitted()
        overdue = attempt_is_overdue(attempt=attempt, now=now)
        if not overdue:
            item = attempt.items.filter(question_id=question_id).first()
            if item is None:
                raise _question_not_in_attempt(question_id)
            letters = clean_selection(item=item, selected=selected)
            if attempt.is_practice and item.selected is not None:
                if letters != item.selected:
                    raise ApplicationError(
                        _("In practice an answer is final once given."),
                        code="already_answered",
                    )
                return item
            item.selected = letters
            item.answered_at = now
            fields = ["selected", "answered_at"]
            if attempt.is_practice:
                result = item_score(item=item, competition=attempt.competition)
                item.is_correct, item.points = result.is_correct, result.points
                fields += ["is_correct", "points"]
            item.save(update_fields=fields)
            return item
    # Past the deadline: finalise it now (in its own transaction), then refuse the answer.
    attempt_expire_overdue(attempt_id=attempt_id, now=now)
    raise ApplicationError(_("The time for this attempt is up."), code="deadline_passed")


# The common case of saving an answer, as one statement: the caller's running, ranked attempt within
# its deadline plus grace is locked (FOR UPDATE in the CTE: a concurrent submission either waits
# for this save, or has committed first and the re-checked `status` makes this a no-op), and the
# item is updated only if every letter is one it shows and a single-answer question gets one.
_SAVE_ANSWER_SQL = """
WITH attempt AS (
    SELECT id FROM quiz_attempt
    WHERE id = %(attempt)s AND user_id = %(user)s AND status = 'in_progress' AND NOT is_practice
      AND deadline >= %(now)s - %(grace)s * interval '1 second'
    FOR UPDATE
)
UPDATE quiz_attemptitem AS item SET selected = %(letters)s::jsonb, answered_at = %(now)s
FROM attempt
WHERE item.attempt_id = attempt.id AND item.question_id = %(question)s
  AND (%(letters)s::jsonb IS NULL OR (
      jsonb_path_query_array(item.options, '$[*].key') @> %(letters)s::jsonb
      AND (item.type = 'multiple' OR jsonb_array_length(%(letters)s::jsonb) = 1)))
RETURNING item.id
"""


def _save_answer_in_one_statement(
    *, user, attempt_id: int, question_id: int, letters: list[str] | None, now: datetime
) -> AttemptItem | None:
    """The saved item (with `attempt` partly loaded: id, is_practice), or None when the statement
    changed nothing (then the general path decides what to answer). PostgreSQL only."""
    if connection.vendor != "postgresql":
        return None
    from psycopg.types.json import Jsonb

    params = {
        "attempt": attempt_id,
        "user": user.pk,
        "now": now,
        "grace": settings.ATTEMPT_GRACE_SECONDS,
        "question": question_id,
        "letters": None if letters is None else Jsonb(letters),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_ANSWER_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    item = AttemptItem.from_db(
        connection.alias,
        ["id", "attempt_id", "question_id", "selected", "answered_at"],
        [row[0], attempt_id, question_id, letters, now],
    )
    item.attempt = Attempt.from_db(connection.alias, ["id", "is_practice"], [attempt_id, False])
    return item


def _question_not_in_attempt(question_id: Any) -> ApplicationError:
    return ApplicationError(
        _("Question %s is not part of this attempt.") % question_id,
        code="question_not_in_attempt",
        errors=[
            {"field": "question", "message": _("Question %s is not part of this attempt.") % question_id}
        ],
    )


# --- submitting ----------------------------------------------------------------------------------


def attempt_submit(
    *, user, attempt_id: int, answers: list[dict[str, Any]] | None = None, now: datetime | None = None
) -> tuple[Attempt, bool]:
    """Submit and score the caller's attempt; returns (attempt with items, scored_now).

    `answers` (`[{"question": id, "selected": ["A"]}]`) override the saved ones; questions left
    out keep their saved answer. Scored once: a repeated submission (a retry, even a concurrent
    one: the attempt row is locked) returns the same result and changes nothing. After the
    deadline plus grace the attempt is scored as it stood and `answers` are ignored; an attempt
    that is already submitted answers 409 `already_submitted` then.
    A retry publishes `attempt_scored` again; its subscribers count each attempt id once.
    Errors (nothing is written): 404 foreign or unknown; 400 `question_not_in_attempt`,
    `invalid_option`.
    """
    now = now or timezone.now()
    answers = answers or []
    attempt = _submit_in_two_statements(user=user, attempt_id=attempt_id, answers=answers, now=now)
    if attempt is not None:
        return attempt, True
    # Anything but the common case (a retry, an answer saved while it waited for the lock, SQLite):
    # the general path.
    with transaction.atomic():
        attempt = _lock_attempt(user=user, attempt_id=attempt_id)
        if attempt.status == Attempt.Status.SUBMITTED:
            if now > attempt.deadline + grace():
                raise _already_submitted()
            if not attempt.is_practice:
                # A retry usually means the first answer was lost, possibly after the commit but
                # before the after-commit hook ran; handing the attempt over again is harmless
                # (subscribers count an attempt id once) and closes that gap.
                attempt_scored_publish(attempt_id=attempt.pk, competition_id=attempt.competition_id)
            return attempt_with_items(attempt_id=attempt.pk), False
        items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
        _score_submission(attempt=attempt, items=items, answers=answers, now=now)
    return attempt, True


def _submit_in_two_statements(
    *, user, attempt_id: int, answers: list[dict[str, Any]], now: datetime
) -> Attempt | None:
    """The common case of a submission on PostgreSQL: a running attempt locked and read with its
    items in one statement, scored and written in a second (quiz.services.finalising). Returns
    the scored attempt with its items, or None when the general path must answer (SQLite, a
    retry of a submitted attempt, an answer saved while this waited for the lock). Errors as
    attempt_submit, nothing written."""
    if connection.vendor != "postgresql":
        return None
    try:
        with transaction.atomic():
            locked = attempt_lock_with_items(attempt_id=attempt_id, user_id=user.pk)
            if locked is None:
                raise _not_found()
            if locked.attempt.status == Attempt.Status.SUBMITTED:
                return None
            _score_submission(
                attempt=locked.attempt,
                items=locked.items,
                answers=answers,
                now=now,
                submitter=locked.submitter,
                item_versions=locked.item_versions,
            )
    except ItemsChanged:
        return None
    return locked.attempt


def _score_submission(
    *,
    attempt: Attempt,
    items: list[AttemptItem],
    answers: list[dict[str, Any]],
    now: datetime,
    submitter: Submitter | None = None,
    item_versions: list[str] | None = None,
) -> None:
    """The rules of a submission on a locked running attempt: `answers` checked (400 errors before
    anything is written), applied unless it is overdue (practice answers are final once given),
    then scored and recorded (finalize_locked_attempt)."""
    by_question = {item.question_id: item for item in items}
    updates: list[tuple[AttemptItem, list[str] | None]] = []
    for answer in answers:
        item = by_question.get(answer.get("question"))
        if item is None:
            raise _question_not_in_attempt(answer.get("question"))
        updates.append((item, clean_selection(item=item, selected=answer.get("selected"))))
    if not attempt_is_overdue(attempt=attempt, now=now):
        for item, letters in updates:
            if attempt.is_practice and item.selected is not None:
                continue  # practice answers are final once given
            if letters != item.selected:
                item.selected = letters
                item.answered_at = now
    finalize_locked_attempt(
        attempt=attempt, items=items, submitted_at=now, submitter=submitter, item_versions=item_versions
    )
