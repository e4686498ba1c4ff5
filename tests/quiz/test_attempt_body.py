"""The attempt response built as plain dicts (quiz.apis.attempts.attempt_body) is byte for byte what
AttemptOutputSerializer, the documented schema, renders: in progress, answered, submitted, reviewed,
practice with feedback, practice rounds, with and without a pass mark, in both languages."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from quiz.apis.attempts import AttemptOutputSerializer, attempt_body
from quiz.models import Attempt, AttemptItem
from quiz.services import attempts as svc
from quiz.services.finalising import attempt_expire_overdue, attempt_with_items
from quiz.services.practice import practice_topic_start
from tests.factories import CompetitionFactory, make_bank

pytestmark = pytest.mark.django_db


def _same_bytes(attempt: Attempt) -> bytes:
    now = timezone.now()
    renderer = JSONRenderer()
    old = renderer.render(AttemptOutputSerializer(attempt, context={"now": now}).data)
    new = renderer.render(attempt_body(attempt, now=now))
    assert new == old
    return new


def _answer(user, attempt: Attempt, *, count: int, right: bool = True) -> None:
    for item in list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))[:count]:
        wrong = next(option["key"] for option in item.options if option["key"] not in item.correct)
        svc.attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            question_id=item.question_id,
            selected=item.correct if right else [wrong],
        )


@pytest.fixture
def bank():
    return make_bank(singles=4, multiples=3, judges=3)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("pass_mark", [60, None])
def test_a_ranked_attempt_renders_the_same_bytes_at_every_stage(participant, bank, language, pass_mark):
    competition = CompetitionFactory(
        banks=[bank],
        questions_per_attempt=10,
        shuffle_options=True,
        pass_mark=pass_mark,
        speed_bonus_max_points=5,
    )
    with translation.override(language):
        started, created = svc.attempt_start(user=participant, competition=competition)
        assert created
        body = _same_bytes(started)  # as the start returns it
        assert b'"questions"' in body and b'"correct"' not in body
        _answer(participant, started, count=4)
        _answer(participant, started, count=6, right=False)
        _same_bytes(attempt_with_items(attempt_id=started.pk))  # a detail read, answers saved
        resumed, created = svc.attempt_start(user=participant, competition=competition)
        assert not created
        _same_bytes(resumed)
        submitted, _scored = svc.attempt_submit(user=participant, attempt_id=started.pk)
        body = _same_bytes(submitted)  # as the submission returns it
        assert b'"review"' in body
        _same_bytes(attempt_with_items(attempt_id=started.pk))  # the result read later


def test_an_attempt_finalised_as_it_stood_renders_the_same_bytes(participant, bank):
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=10, pass_mark=30)
    started, _created = svc.attempt_start(user=participant, competition=competition)
    _answer(participant, started, count=3)
    attempt_expire_overdue(attempt_id=started.pk, now=started.deadline + timedelta(hours=1))

    _same_bytes(attempt_with_items(attempt_id=started.pk))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_practice_attempt_with_feedback_renders_the_same_bytes(participant, bank, language):
    practice = CompetitionFactory(
        banks=[bank], questions_per_attempt=6, is_practice=True, shuffle_options=True
    )
    with translation.override(language):
        started, _created = svc.attempt_start(user=participant, competition=practice)
        _same_bytes(started)
        _answer(participant, started, count=2)
        _answer(participant, attempt_with_items(attempt_id=started.pk), count=0)
        body = _same_bytes(attempt_with_items(attempt_id=started.pk))
        assert body.count(b'"explanation"') == 2  # feedback on the two answered questions only
        submitted, _scored = svc.attempt_submit(user=participant, attempt_id=started.pk)
        _same_bytes(submitted)


def test_a_topic_practice_round_renders_the_same_bytes(participant, bank):
    practice = CompetitionFactory(banks=[bank], questions_per_attempt=6, is_practice=True)
    round_, _created = practice_topic_start(user=participant, competition=practice, category="消防安全")
    _same_bytes(round_)
    _answer(participant, round_, count=1)
    submitted, _scored = svc.attempt_submit(user=participant, attempt_id=round_.pk)
    body = _same_bytes(submitted)
    assert b'"passed":null' in body
