"""Submitted attempts for tests: a light ORM mimic and the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from leaderboard.services import leaderboard_record_submission
from quiz.models import Attempt, Competition, Participation


def record_submission(
    *,
    user,
    competition: Competition,
    score: int,
    at: datetime | None = None,
    practice: bool = False,
    hook: bool = True,
) -> Attempt:
    """A submitted attempt written the way quiz.services.attempts._finalize writes it, then the hook.

    Light enough for bursts of many submissions a second; the end-to-end tests use the real
    services and API instead.
    """
    at = at or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            competition=competition,
            status=Attempt.Status.SUBMITTED,
            started_at=at - timedelta(seconds=60),
            deadline=at + timedelta(seconds=540),
            submitted_at=at,
            day=timezone.localdate(at),
            score=score,
            correct_count=score // 10,
            question_count=5,
            duration_seconds=60,
            region_id=user.region_id,
            organization_id=user.organization_id,
            is_practice=practice or competition.is_practice,
        )
        if not attempt.is_practice:
            changes = {
                "points": F("points") + score,
                "best_score": Greatest(F("best_score"), Value(score)),
                "submitted_attempts": F("submitted_attempts") + 1,
            }
            if score > 0:
                changes["points_reached_at"] = at
            updated = Participation.objects.filter(user=user, competition=competition).update(**changes)
            if not updated:
                Participation.objects.create(
                    user=user,
                    competition=competition,
                    region_id=user.region_id,
                    organization_id=user.organization_id,
                    points=score,
                    best_score=score,
                    submitted_attempts=1,
                    points_reached_at=at if score > 0 else None,
                )
    if hook:
        leaderboard_record_submission(attempt_id=attempt.pk)
    return attempt


def submit_through_services(*, user, competition: Competition, correct: int) -> Attempt:
    """Start and submit through quiz's own services, answering `correct` questions right."""
    from quiz.services.attempts import attempt_start, attempt_submit

    attempt, _created = attempt_start(user=user, competition=competition)
    answers = []
    for index, item in enumerate(attempt.items.all()):
        right = list(item.correct)
        wrong = [o["key"] for o in item.options if o["key"] not in right][:1]
        answers.append({"question": item.question_id, "selected": right if index < correct else wrong})
    attempt, _scored = attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)
    # In tests wrapped in a transaction on_commit never fires; the hook is idempotent anyway.
    leaderboard_record_submission(attempt_id=attempt.pk)
    return attempt
