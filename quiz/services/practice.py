"""The learning loop's rounds (issue 18): practise my wrong answers, practise one topic.

A round is an `Attempt` with `is_practice=True` and a `kind` (`wrong_answers` or `topic`), attached
to a competition: a topic round to the competition whose banks it draws from, a wrong-answer round
to the competition of the newest wrong answer it draws. Being practice, it is answered with
per-answer feedback exactly like a practice competition (`attempt_save_answer`, `attempt_submit`),
and never counts in Participation, rankings, the live figures, statistics or item analysis (all of
which count non-practice attempts only). Being of another kind, it never counts in its
competition's daily quota nor is resumed as the competition's running attempt.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from quiz.models import Attempt, AttemptItem, Competition, Question
from quiz.selectors import progress
from quiz.services.attempts import _industry_id as user_industry_id
from quiz.services.attempts import quota_day
from quiz.services.drawing import attempt_items_create
from quiz.services.finalising import attempt_expire_overdue, attempt_with_items, grace

ROUND_SIZE = 10
SECONDS_PER_QUESTION = 60
# A round is never shorter than this: practice is not a race.
MIN_ROUND_SECONDS = 300
_random = random.SystemRandom()


def _running_round(*, user, now: datetime, **match) -> Attempt | None:
    pk = (
        Attempt.objects.filter(
            user=user, status=Attempt.Status.IN_PROGRESS, deadline__gte=now - grace(), **match
        )
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return None if pk is None else attempt_with_items(attempt_id=pk)


def _lock_user(*, user) -> None:
    """Serialise one person's round starts (two taps, two tabs) so they resume one round.
    Precondition: inside transaction.atomic()."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _create_round(
    *, user, competition: Competition, kind: str, topic: str, question_ids: list[int], now: datetime
) -> Attempt:
    """Create a practice round showing `question_ids` in that order. Caller holds the user lock."""
    questions = Question.objects.in_bulk(question_ids)
    attempt = Attempt.objects.create(
        user=user,
        competition=competition,
        kind=kind,
        topic=topic,
        is_practice=True,
        started_at=now,
        deadline=now + timedelta(seconds=max(MIN_ROUND_SECONDS, SECONDS_PER_QUESTION * len(question_ids))),
        day=quota_day(now),
        question_count=len(question_ids),
        region_id=user.region_id,
        organization_id=user.organization_id,
        industry_id=user_industry_id(user),
    )
    attempt_items_create(
        attempt=attempt, competition=competition, questions=[questions[qid] for qid in question_ids]
    )
    return attempt


def practice_wrong_answers_start(*, user, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Start a round over the caller's active wrong questions, or resume their running one; returns
    (attempt, created).

    Draws up to ROUND_SIZE still-active questions, most often wrong first, then least recently seen
    (`quiz.selectors.progress.wrong_practice_order`), in that order. These are questions whose key
    the caller has already been shown in a review, so no ranked key leaks through the feedback.
    Nothing to practise: 409 `nothing_to_practise`.
    """
    now = now or timezone.now()
    attempt_expire_overdue(user=user, now=now)
    with transaction.atomic():
        _lock_user(user=user)
        running = _running_round(user=user, now=now, kind=Attempt.Kind.WRONG_ANSWERS)
        if running is not None:
            return running, False
        records = progress.wrong_practice_order(records=progress.user_question_records(user=user).values())
        active = set(
            Question.objects.filter(pk__in=[r.question_id for r in records], is_active=True).values_list(
                "pk", flat=True
            )
        )
        question_ids = [r.question_id for r in records if r.question_id in active][:ROUND_SIZE]
        if not question_ids:
            raise ApplicationError(
                _("Your wrong-answer book has nothing left to practise."),
                code="nothing_to_practise",
            )
        competition_id = (
            AttemptItem.objects.filter(progress.WRONG, attempt__user=user, question_id__in=question_ids)
            .order_by("-id")
            .values_list("attempt__competition_id", flat=True)
            .first()
        )
        competition = Competition.objects.get(pk=competition_id)
        attempt = _create_round(
            user=user,
            competition=competition,
            kind=Attempt.Kind.WRONG_ANSWERS,
            topic="",
            question_ids=question_ids,
            now=now,
        )
    return attempt, True


def practice_topic_start(
    *,
    user,
    competition: Competition,
    category: str,
    now: datetime | None = None,
    rng: random.Random = _random,
) -> tuple[Attempt, bool]:
    """Start a practice round on one category of a competition's banks, or resume the caller's
    running round on it; returns (attempt, created).

    Draws up to ROUND_SIZE questions of `category` at random from `quiz.selectors.progress.topic_pool`
    (the competition's banks and open practice competitions' banks, without the questions of ranked
    competitions not over yet: feedback shows keys). So while a ranked competition runs, its topic
    practice draws from the practice banks of that category.
    Errors: no such category in the banks 400 `unknown_category`; nothing drawable now 409
    `not_enough_questions`.
    """
    now = now or timezone.now()
    category = (category or "").strip()
    if category not in progress.topic_categories(competition=competition):
        raise ApplicationError(
            _("This competition has no questions in the category “%s”.") % category,
            code="unknown_category",
            errors=[{"field": "category", "message": _("Choose a category of this competition.")}],
        )
    attempt_expire_overdue(user=user, now=now)
    with transaction.atomic():
        _lock_user(user=user)
        running = _running_round(
            user=user, now=now, kind=Attempt.Kind.TOPIC, competition=competition, topic=category
        )
        if running is not None:
            return running, False
        pool = list(
            progress.topic_pool(competition=competition, now=now)
            .filter(category=category)
            .values_list("pk", flat=True)
        )
        if not pool:
            raise ApplicationError(
                _("No question of this category can be practised now. Try again after the competition."),
                code="not_enough_questions",
                extra={"needed": 1, "available": 0},
            )
        question_ids = rng.sample(pool, min(ROUND_SIZE, len(pool)))
        attempt = _create_round(
            user=user,
            competition=competition,
            kind=Attempt.Kind.TOPIC,
            topic=category,
            question_ids=question_ids,
            now=now,
        )
    return attempt, True
