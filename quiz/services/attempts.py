"""Starting, answering and submitting attempts. Every rule of the competition is enforced here.

Locking, in one order everywhere so that nothing deadlocks:
- start: the Participation row (SELECT ... FOR UPDATE) guards the daily quota and "one running
  attempt at a time"; overdue attempts are finalised *before* it is taken.
- save answer, submit, expiry: the Attempt row first, then (submit/expiry only) an UPDATE of the
  Participation row.

Every service takes an optional `now` so that tests can set the clock.
"""

import math
import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFound
from quiz.events import attempt_scored_publish
from quiz.models import OPTION_KEYS, Attempt, AttemptItem, Competition, Participation, Question
from quiz.selectors import answer_keys
from quiz.services import scoring

QUOTA_TIMEZONE = ZoneInfo("Asia/Shanghai")


def _seconds_to_next_quota_day(*, now: datetime) -> int:
    """Whole seconds from `now` to the next Asia/Shanghai midnight, when the daily quota renews."""
    local = now.astimezone(QUOTA_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=QUOTA_TIMEZONE)
    return max(1, math.ceil((midnight - local).total_seconds()))


# Stored with a judge item for the admin's eyes; the API shows them in the caller's language.
JUDGE_OPTIONS = [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]
_random = random.SystemRandom()


def quota_day(moment: datetime) -> date:
    """The calendar day in Asia/Shanghai that the daily quota counts."""
    return timezone.localtime(moment, QUOTA_TIMEZONE).date()


def grace() -> timedelta:
    return timedelta(seconds=settings.ATTEMPT_GRACE_SECONDS)


def attempt_is_overdue(*, attempt: Attempt, now: datetime) -> bool:
    """True when an in-progress attempt is past its deadline plus the grace: it can only be finalised."""
    return attempt.status == Attempt.Status.IN_PROGRESS and now > attempt.deadline + grace()


def _not_found() -> ApplicationError:
    return NotFound(_("No such attempt."))


# --- drawing -------------------------------------------------------------------------------------


def _matches(rule: dict[str, Any], qtype: str, category: str) -> bool:
    return ("type" not in rule or rule["type"] == qtype) and (
        "category" not in rule or rule["category"] == category
    )


def draw_question_ids(
    *, competition: Competition, now: datetime | None = None, rng: random.Random = _random
) -> list[int]:
    """Pick the questions of one attempt: without replacement, from the active questions of the
    competition's banks, first what each draw rule asks for, then the rest freely; shuffled.

    A practice competition leaves out every question a ranked competition not over yet holds
    (`quiz.selectors.answer_keys`): its feedback and review show keys.
    Raises ApplicationError 409 `not_enough_questions` when the banks cannot fill the attempt.
    """
    questions = Question.objects.filter(bank__competitions=competition, is_active=True)
    if competition.is_practice:
        questions = questions.exclude(
            fingerprint__in=answer_keys.guarded_fingerprints(now=now or timezone.now())
        )
    candidates = list(questions.values_list("id", "type", "category"))
    wanted = competition.questions_per_attempt
    chosen: list[int] = []
    taken: set[int] = set()
    for rule in competition.draw_rules or []:
        pool = [
            qid for qid, qtype, category in candidates if qid not in taken and _matches(rule, qtype, category)
        ]
        if len(pool) < rule["count"]:
            raise _not_enough(needed=rule["count"], available=len(pool), rule=rule)
        picked = rng.sample(pool, rule["count"])
        chosen.extend(picked)
        taken.update(picked)
    rest = wanted - len(chosen)
    if rest > 0:
        pool = [qid for qid, _type, _category in candidates if qid not in taken]
        if len(pool) < rest:
            raise _not_enough(needed=wanted, available=len(candidates), rule=None)
        chosen.extend(rng.sample(pool, rest))
    rng.shuffle(chosen)
    return chosen


def _not_enough(*, needed: int, available: int, rule: dict[str, Any] | None) -> ApplicationError:
    return ApplicationError(
        _("The question banks do not hold enough active questions for this competition."),
        code="not_enough_questions",
        extra={"needed": needed, "available": available, **({"rule": rule} if rule else {})},
    )


def freeze_item(
    *, question: Question, position: int, shuffle: bool, rng: random.Random = _random
) -> AttemptItem:
    """An unsaved AttemptItem: the question as this attempt shows it, with its answer in shown letters.

    With `shuffle`, single and multiple choice options are re-lettered in a random order; a judge
    question is always A true, B false. `key_map` maps shown letters to the question's own.
    """
    if question.type == Question.Type.JUDGE:
        options = [dict(option) for option in JUDGE_OPTIONS]
        key_map = {"A": "A", "B": "B"}
    else:
        original = list(zip(OPTION_KEYS, question.options, strict=False))
        if shuffle:
            rng.shuffle(original)
        options = []
        key_map = {}
        for shown_key, (own_key, text) in zip(OPTION_KEYS, original, strict=False):
            options.append({"key": shown_key, "text": text})
            key_map[shown_key] = own_key
    own_to_shown = {own: shown for shown, own in key_map.items()}
    correct = sorted(own_to_shown[letter] for letter in question.answer if letter in own_to_shown)
    return AttemptItem(
        question_id=question.pk,
        position=position,
        type=question.type,
        stem=question.stem,
        options=options,
        correct=correct,
        key_map=key_map,
        explanation=question.explanation,
        category=question.category,
    )


# --- starting ------------------------------------------------------------------------------------


def _lock_participation(*, user, competition: Competition) -> Participation:
    """The caller's Participation row, created if need be, locked until the transaction ends.

    Precondition: inside transaction.atomic().
    """
    participation = (
        Participation.objects.select_for_update().filter(user=user, competition=competition).first()
    )
    if participation is not None:
        return participation
    try:
        with transaction.atomic():
            Participation.objects.create(
                user=user,
                competition=competition,
                region_id=user.region_id,
                organization_id=user.organization_id,
            )
    except IntegrityError:
        pass  # a racing start created it first; lock theirs
    return Participation.objects.select_for_update().get(user=user, competition=competition)


def user_is_ranked(*, user) -> bool:
    """Whether `user` may answer ranked competitions and appear in rankings: participants only.
    Organizers see everybody's figures and admins hold the keys, so neither competes."""
    return not (user.is_admin_role or user.is_staff or user.role == user.Role.ORGANIZER)


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
                _("You have used all %(n)d attempts of today. Come back tomorrow.")
                % {"n": competition.attempts_per_day},
                code="daily_limit_reached",
                extra={"attempts_per_day": competition.attempts_per_day},
                headers={"Retry-After": str(_seconds_to_next_quota_day(now=now))},
            )
        question_ids = draw_question_ids(competition=competition, now=now)
        questions = Question.objects.in_bulk(question_ids)
        attempt = Attempt.objects.create(
            user=user,
            competition=competition,
            started_at=now,
            deadline=now + timedelta(seconds=competition.time_limit_seconds),
            day=today,
            question_count=len(question_ids),
            region_id=user.region_id,
            organization_id=user.organization_id,
            industry_id=_industry_id(user),
            is_practice=competition.is_practice,
        )
        attempt_items_create(
            attempt=attempt, competition=competition, questions=questions, question_ids=question_ids
        )
    return attempt, True


def attempt_items_create(
    *, attempt: Attempt, competition: Competition, questions: dict[int, Question], question_ids: list[int]
) -> list[AttemptItem]:
    """Freeze the drawn questions into the new attempt's items, in `question_ids` order (one INSERT).

    Used by attempt_start and by the practice rounds (quiz/services/practice.py). Leaves the
    items prefetched on `attempt` (`attempt.items.all()` costs no query) and `attempt.competition` set.
    """
    items = [
        freeze_item(question=questions[qid], position=position, shuffle=competition.shuffle_options)
        for position, qid in enumerate(question_ids, start=1)
    ]
    for item in items:
        item.attempt = attempt
    AttemptItem.objects.bulk_create(items)
    attempt.competition = competition
    attempt._prefetched_objects_cache = {"items": items}
    return items


def attempt_with_items(*, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.select_related("competition").prefetch_related("items").get(pk=attempt_id)
    return attempt


# --- answering -----------------------------------------------------------------------------------


def clean_selection(*, item: AttemptItem, selected: Iterable[str] | None) -> list[str] | None:
    """Letters as stored: upper case, unique, sorted; None for "not answered".

    Raises 400 `invalid_option` for a letter the question does not show, or several letters
    for a single-choice or true/false question.
    """
    if selected is None:
        return None
    letters = sorted({str(letter).strip().upper() for letter in selected})
    if not letters:
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


def _item_score(*, item: AttemptItem, competition: Competition) -> scoring.ItemScore:
    return scoring.score_item(
        question_type=item.type,
        correct=item.correct,
        selected=item.selected,
        points_per_correct=competition.points_per_correct,
        mode=competition.scoring_mode,
    )


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
                result = _item_score(item=item, competition=attempt.competition)
                item.is_correct, item.points = result.is_correct, result.points
                fields += ["is_correct", "points"]
            item.save(update_fields=fields)
            return item
    # Past the deadline: finalise it now (in its own transaction), then refuse the answer.
    attempt_expire_overdue(attempt_id=attempt_id, now=now)
    raise ApplicationError(_("The time for this attempt is up."), code="deadline_passed")


def _question_not_in_attempt(question_id: Any) -> ApplicationError:
    return ApplicationError(
        _("Question %s is not part of this attempt.") % question_id,
        code="question_not_in_attempt",
        errors=[
            {"field": "question", "message": _("Question %s is not part of this attempt.") % question_id}
        ],
    )


# --- submitting and finalising --------------------------------------------------------------------


def _finalize(*, attempt: Attempt, items: list[AttemptItem], submitted_at: datetime) -> None:
    """Score a locked in-progress attempt from its items' selections and record it everywhere.

    Precondition: inside transaction.atomic(), the attempt row locked, `items` are all its items.
    Writes: the items (one bulk UPDATE), the attempt, the Participation row (one UPDATE, not for
    practice) and publishes `attempt_scored` after commit (not for practice; quiz/events.py).
    """
    competition = attempt.competition
    correct_count = 0
    total = 0
    for item in items:
        result = _item_score(item=item, competition=competition)
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
    attempt_scored_publish(attempt_id=attempt.pk, competition_id=attempt.competition_id)


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
    from psycopg.types.json import Jsonb

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
        _finalize(attempt=attempt, items=items, submitted_at=now)
    return attempt, True


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
            _finalize(attempt=attempt, items=items, submitted_at=attempt.deadline)
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
