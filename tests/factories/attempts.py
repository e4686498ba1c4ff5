"""Submitted attempts for tests, made by the platform's own services (never written by hand, so they
cannot drift from the real scoring: items, score, speed bonus, Participation and the leaderboard)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta
from unittest import mock

import factory

from quiz.events import attempt_scored
from quiz.models import Attempt, AttemptItem, Competition
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories.accounts import UserFactory
from tests.factories.quiz import competition_with_bank

# How long before `at` an attempt made by AttemptFactory was started.
DURATION = timedelta(seconds=60)


def answers_for(*, attempt: Attempt, correct: int) -> list[dict]:
    """Answers to a started attempt: the first `correct` items (in draw order) right, the rest wrong."""
    answers = []
    items = sorted(attempt.items.all(), key=lambda item: item.position)
    for index, item in enumerate(items):
        answers.append({"question": item.question_id, "selected": _selection(item, right=index < correct)})
    return answers


def _selection(item: AttemptItem, *, right: bool) -> list[str]:
    if right:
        return list(item.correct)
    return [o["key"] for o in item.options if o["key"] not in item.correct][:1]


def submit_attempt(
    *,
    user,
    competition: Competition,
    correct: int,
    at: datetime | None = None,
    hook: bool = True,
) -> Attempt:
    """Start and submit an attempt through quiz's services, answering the first `correct` questions right.

    `at`: when it is submitted (started DURATION before); now by default. The competition must be
    open then and the user must have an attempt left that day: the real rules apply.
    `hook`: publish quiz.events.attempt_scored now (the live leaderboard subscribes). Inside a test's
    transaction on_commit never fires, so the factory sends it itself (subscribers count each
    attempt once); with hook=False it is suppressed even where on_commit does fire, for tests that
    hand the attempts to the leaderboard themselves later.
    """
    submitted_at = at
    started_at = at - DURATION if at is not None else None
    quiet = (
        mock.patch.object(attempt_scored, "send_robust", lambda **kwargs: []) if not hook else nullcontext()
    )
    with quiet:
        attempt, _created = attempt_start(user=user, competition=competition, now=started_at)
        answers = answers_for(attempt=attempt, correct=correct)
        attempt, _scored = attempt_submit(user=user, attempt_id=attempt.pk, answers=answers, now=submitted_at)
    if hook and not attempt.is_practice:
        attempt_scored.send_robust(sender=None, attempt_id=attempt.pk)
    return attempt


class AttemptFactory(factory.django.DjangoModelFactory):
    """A submitted attempt: `AttemptFactory(user=..., competition=..., correct=3, at=...)`.

    Made by `submit_attempt` (the real start and submit), so its score is what the platform would
    give: `correct` x points_per_correct (plus any speed bonus the competition awards).
    """

    class Meta:
        model = Attempt

    user = factory.SubFactory(UserFactory)
    competition = factory.LazyFunction(competition_with_bank)
    correct = 0
    at = None
    hook = True

    @classmethod
    def _create(cls, model_class, *, user, competition, correct, at, hook, **unexpected) -> Attempt:
        if unexpected:
            raise TypeError(f"AttemptFactory sets no other fields by hand: {sorted(unexpected)}")
        return submit_attempt(user=user, competition=competition, correct=correct, at=at, hook=hook)
