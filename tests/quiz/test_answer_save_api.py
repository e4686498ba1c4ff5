"""Saving an answer: the lean view (quiz/apis/attempts.py, AttemptAnswerSaveApi) answers every
request exactly as the view it replaced did: status, body and headers, for success and for every
error. The replaced view is kept below, verbatim, as the reference; each request runs against
both from the same database state (a savepoint rolled back in between).

There is no `throttled` case: neither view has a throttle (no DEFAULT_THROTTLE_CLASSES; only the
log-in, registration and attempt start are throttled), which `test_neither_view_is_throttled`
pins down.
"""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from quiz.apis.attempts import _DATETIME, AttemptAnswerSaveApi
from quiz.models import Attempt, AttemptItem
from quiz.services import attempts as attempt_services
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import CompetitionFactory, QuestionFactory, UserFactory, make_bank
from tests.support.clients import token_of

pytestmark = pytest.mark.django_db


class ReplacedAttemptAnswerSaveApi(APIView):
    """The view before issue 16's lean version: the input serializer on every request and DRF's
    content negotiation (the project's default is now a shortcut of it, core/negotiation.py)."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = DefaultContentNegotiation
    AttemptAnswerInputSerializer = AttemptAnswerSaveApi.AttemptAnswerInputSerializer

    def put(self, request, attempt_id: int, question_id: int):
        data = self.AttemptAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = attempt_services.attempt_save_answer(
            user=request.user,
            attempt_id=attempt_id,
            question_id=question_id,
            selected=data.validated_data["selected"],
        )
        body = {
            "question": item.question_id,
            "selected": item.selected,
            "saved_at": _DATETIME.to_representation(item.answered_at) if item.answered_at else None,
        }
        if item.attempt.is_practice:
            body.update(
                correct=item.correct,
                is_correct=item.is_correct,
                points=item.points,
                explanation=item.explanation,
            )
        return Response(body)


OLD = ReplacedAttemptAnswerSaveApi.as_view()
NEW = AttemptAnswerSaveApi.as_view()
FACTORY = APIRequestFactory()
NOW = timezone.now()


def _answer(view, *, attempt_id, question_id, body, token=None, content_type="application/json", fmt=None):
    headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Token {token}"}
    path = f"/api/v1/attempts/{attempt_id}/answers/{question_id}/"
    if fmt is not None:
        request = FACTORY.put(path, body, format=fmt, **headers)
    else:
        request = FACTORY.put(path, body, content_type=content_type, **headers)
    response = view(request, attempt_id=attempt_id, question_id=question_id)
    response.render()
    return response


def _both(**kwargs):
    """(replaced, lean): the same request against both views, from the same database state."""
    out = []
    for view in (OLD, NEW):
        savepoint = transaction.savepoint()
        response = _answer(view, **kwargs)
        out.append((response.status_code, response.content, sorted(response.items())))
        transaction.savepoint_rollback(savepoint)
    return out


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def ranked(person):
    bank = make_bank(singles=3, multiples=3, judges=2)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=8, attempts_per_day=10)
    attempt, _created = attempt_start(user=person, competition=competition)
    return attempt


def _item(attempt: Attempt, kind: str) -> AttemptItem:
    return next(i for i in attempt.items.all() if i.type == kind)


def _wrong(item: AttemptItem) -> str:
    return next(o["key"] for o in item.options if o["key"] not in item.correct)


BODIES = [
    '{"selected": null}',
    '{"selected": []}',
    '{"selected": ["A"]}',
    '{"selected": ["A"], "other": 1}',
    '{"selected": ["B", "A"]}',
    '{"selected": ["A", "A"]}',
    '{"selected": ["Q"]}',
    '{"selected": ["a"]}',
    '{"selected": [" A"]}',
    '{"selected": ["A "]}',
    '{"selected": [""]}',
    '{"selected": [" "]}',
    '{"selected": ["AB"]}',
    '{"selected": [1]}',
    '{"selected": [true]}',
    '{"selected": [null]}',
    '{"selected": [["A"]]}',
    '{"selected": [{"k": "A"}]}',
    '{"selected": ["\\u0000"]}',
    '{"selected": ["A", "B", "C", "D", "E", "F"]}',
    '{"selected": ["A", "B", "C", "D", "E", "F", "G"]}',
    '{"selected": "A"}',
    '{"selected": {"0": "A"}}',
    '{"selected": 5}',
    "{}",
    "[]",
    '"A"',
    "null",
    "{not json",
    "",
]


@pytest.mark.parametrize("kind", ["single", "multiple", "judge"])
@pytest.mark.parametrize("body", BODIES)
def test_every_body_is_answered_as_before(ranked, person, kind, body):
    item = _item(ranked, kind)
    old, new = _both(attempt_id=ranked.pk, question_id=item.question_id, body=body, token=token_of(person))
    assert new == old


@pytest.mark.parametrize(
    "fmt,body", [("multipart", {"selected": ["A", "B"]}), ("multipart", {"selected": "A"})]
)
def test_a_form_body_is_answered_as_before(ranked, person, fmt, body):
    item = _item(ranked, "multiple")
    old, new = _both(
        attempt_id=ranked.pk, question_id=item.question_id, body=body, token=token_of(person), fmt=fmt
    )
    assert new == old


def test_an_unsupported_content_type_is_answered_as_before(ranked, person):
    item = _item(ranked, "single")
    old, new = _both(
        attempt_id=ranked.pk,
        question_id=item.question_id,
        body="selected=A",
        token=token_of(person),
        content_type="text/plain",
    )
    assert new == old
    assert new[0] == 415


def test_success_and_each_error_code_are_answered_as_before(ranked, person):
    token = token_of(person)
    single, multiple = _item(ranked, "single"), _item(ranked, "multiple")
    stranger = QuestionFactory()
    cases = {
        "saved": dict(attempt_id=ranked.pk, question_id=single.question_id, body='{"selected": ["A"]}'),
        "cleared": dict(attempt_id=ranked.pk, question_id=multiple.question_id, body='{"selected": []}'),
        "invalid_option": dict(
            attempt_id=ranked.pk, question_id=single.question_id, body='{"selected": ["A", "B"]}'
        ),
        "question_not_in_attempt": dict(
            attempt_id=ranked.pk, question_id=stranger.pk, body='{"selected": ["A"]}'
        ),
        "unknown attempt": dict(
            attempt_id=999999, question_id=single.question_id, body='{"selected": ["A"]}'
        ),
    }
    seen = {}
    for name, kwargs in cases.items():
        old, new = _both(token=token, **kwargs)
        assert new == old, name
        seen[name] = new[0]
    assert seen == {
        "saved": 200,
        "cleared": 200,
        "invalid_option": 400,
        "question_not_in_attempt": 400,
        "unknown attempt": 404,
    }


def test_another_persons_attempt_is_404_as_before(ranked):
    stranger = UserFactory()
    item = _item(ranked, "single")
    old, new = _both(
        attempt_id=ranked.pk,
        question_id=item.question_id,
        body='{"selected": ["A"]}',
        token=token_of(stranger),
    )
    assert new == old and new[0] == 404


@pytest.mark.parametrize("token", [None, "not-a-token", "0" * 40])
def test_no_or_a_bad_token_is_401_as_before(ranked, token):
    item = _item(ranked, "single")
    old, new = _both(
        attempt_id=ranked.pk, question_id=item.question_id, body='{"selected": ["A"]}', token=token
    )
    assert new == old and new[0] == 401


def test_an_expired_token_is_401_token_expired_as_before(ranked, person, monkeypatch):
    token = token_of(person)
    item = _item(ranked, "single")
    later = NOW + timedelta(hours=settings.TOKEN_TTL_HOURS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    old, new = _both(
        attempt_id=ranked.pk, question_id=item.question_id, body='{"selected": ["A"]}', token=token
    )
    assert new == old and new[0] == 401


def test_a_submitted_attempt_is_409_already_submitted_as_before(ranked, person):
    attempt_submit(user=person, attempt_id=ranked.pk, answers=[])
    item = _item(ranked, "single")
    old, new = _both(
        attempt_id=ranked.pk, question_id=item.question_id, body='{"selected": ["A"]}', token=token_of(person)
    )
    assert new == old and new[0] == 409 and b"already_submitted" in new[1]


def test_past_the_deadline_is_409_deadline_passed_as_before(ranked, person, monkeypatch):
    later = NOW + timedelta(
        seconds=ranked.competition.time_limit_seconds + settings.ATTEMPT_GRACE_SECONDS + 5
    )
    monkeypatch.setattr(timezone, "now", lambda: later)
    item = _item(ranked, "single")
    old, new = _both(
        attempt_id=ranked.pk, question_id=item.question_id, body='{"selected": ["A"]}', token=token_of(person)
    )
    assert new == old and new[0] == 409 and b"deadline_passed" in new[1]


def test_practice_feedback_and_already_answered_as_before(person):
    practice = CompetitionFactory(
        banks=[make_bank(singles=3)], questions_per_attempt=3, is_practice=True, attempts_per_day=20
    )
    attempt, _created = attempt_start(user=person, competition=practice)
    first, second = list(attempt.items.all())[:2]
    token = token_of(person)
    right = json.dumps({"selected": [first.correct[0]]})
    old, new = _both(attempt_id=attempt.pk, question_id=first.question_id, body=right, token=token)
    assert new == old and new[0] == 200 and b"explanation" in new[1]
    attempt_services.attempt_save_answer(
        user=person, attempt_id=attempt.pk, question_id=second.question_id, selected=[_wrong(second)]
    )
    again = json.dumps({"selected": [second.correct[0]]})
    old, new = _both(attempt_id=attempt.pk, question_id=second.question_id, body=again, token=token)
    assert new == old and new[0] == 409 and b"already_answered" in new[1]


@pytest.mark.parametrize("accept", ["text/html", "application/json; indent=2", "application/xml"])
def test_other_accept_headers_are_answered_as_before(ranked, person, accept):
    item = _item(ranked, "single")
    out = []
    for view in (OLD, NEW):
        savepoint = transaction.savepoint()
        request = FACTORY.put(
            f"/api/v1/attempts/{ranked.pk}/answers/{item.question_id}/",
            '{"selected": ["A"]}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token_of(person)}",
            HTTP_ACCEPT=accept,
        )
        response = view(request, attempt_id=ranked.pk, question_id=item.question_id)
        response.render()
        # The browsable page names its view and carries a fresh CSRF token: compare its kind only.
        content = b"html" if accept == "text/html" else response.content
        out.append((response.status_code, response["Content-Type"], content))
        transaction.savepoint_rollback(savepoint)
    assert out[1] == out[0]


def test_the_usual_body_does_not_build_the_input_serializer(ranked, person, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the input serializer was built")

    monkeypatch.setattr(AttemptAnswerSaveApi.AttemptAnswerInputSerializer, "__init__", fail)
    item = _item(ranked, "single")
    response = _answer(
        NEW,
        attempt_id=ranked.pk,
        question_id=item.question_id,
        body='{"selected": ["A"]}',
        token=token_of(person),
    )
    assert response.status_code == 200


def test_neither_view_is_throttled():
    assert AttemptAnswerSaveApi().get_throttles() == []
    assert ReplacedAttemptAnswerSaveApi().get_throttles() == []
