"""The attempt lifecycle of docs/api.md: start (or resume), read, save an answer, submit.

Views are thin: they parse input, call a service or selector and shape the output. Before
submission the output serializers here never carry an item's `correct`, `explanation` or
`is_correct` (practice feedback on an answered question is the one documented exception).
"""

import string
from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import AttemptStartThrottle
from quiz.apis.common import error_response
from quiz.models import Attempt, AttemptItem
from quiz.selectors import attempts as attempt_selectors
from quiz.selectors import competitions as competition_selectors
from quiz.services import attempts as attempt_services
from quiz.services import finalising


class AttemptOptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    """A question of a running attempt: no answer, explanation or correctness, except the feedback
    of a practice attempt on a question already answered."""

    id = serializers.IntegerField(
        source="question_id", help_text="The question's id: use it to save answers."
    )
    position = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.SerializerMethodField()
    selected = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="The saved answer."
    )
    correct = serializers.ListField(child=serializers.CharField(), required=False, help_text="Practice only.")
    is_correct = serializers.BooleanField(required=False, allow_null=True, help_text="Practice only.")
    explanation = serializers.CharField(required=False, help_text="Practice only.")

    PRACTICE_FEEDBACK = ("correct", "is_correct", "explanation")

    @extend_schema_field(AttemptOptionSerializer(many=True))
    def get_options(self, obj: AttemptItem) -> list[dict[str, str]]:
        return obj.shown_options

    def to_representation(self, instance: AttemptItem) -> dict:
        data = super().to_representation(instance)
        feedback = self.context.get("practice") and instance.selected is not None
        if not feedback:
            for key in self.PRACTICE_FEEDBACK:
                data.pop(key, None)
        return data


class AttemptReviewItemSerializer(serializers.Serializer):
    """A question of a submitted attempt, with the right answer and the explanation."""

    question = serializers.IntegerField(source="question_id")
    position = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.SerializerMethodField()
    selected = serializers.ListField(child=serializers.CharField(), allow_null=True)
    correct = serializers.ListField(child=serializers.CharField())
    is_correct = serializers.BooleanField(allow_null=True)
    points = serializers.IntegerField()
    explanation = serializers.CharField()
    category = serializers.CharField()

    @extend_schema_field(AttemptOptionSerializer(many=True))
    def get_options(self, obj: AttemptItem) -> list[dict[str, str]]:
        return obj.shown_options


class StateOnlyMethodField(serializers.SerializerMethodField):
    """A method field that one state of an attempt carries and the other leaves out.

    DRF makes method fields read-only and drf-spectacular lists read-only fields as required,
    which would make the schema promise `questions` on a result and `review` on a running
    attempt. The output serializer below is never validated, so the field is marked writable
    to be listed as optional.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.read_only = False


class AttemptOutputSerializer(serializers.Serializer):
    """An attempt. In progress: `questions` (no answers). Submitted: the result and `review`."""

    id = serializers.IntegerField()
    competition = serializers.IntegerField(source="competition_id")
    competition_title = serializers.CharField(source="competition.title")
    status = serializers.CharField(help_text="in_progress or submitted")
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    server_time = serializers.SerializerMethodField(
        help_text="The server's clock: count down to `deadline` from it."
    )
    time_limit_seconds = serializers.SerializerMethodField()
    question_count = serializers.IntegerField()
    is_practice = serializers.BooleanField()
    questions = StateOnlyMethodField(required=False, help_text="In progress only.")
    submitted_at = serializers.DateTimeField(required=False, help_text="Submitted only.")
    score = serializers.IntegerField(required=False, help_text="Submitted only; includes the speed bonus.")
    correct_count = serializers.IntegerField(required=False, help_text="Submitted only.")
    duration_seconds = serializers.IntegerField(required=False, help_text="Submitted only.")
    speed_bonus = StateOnlyMethodField(required=False, help_text="Submitted only.")
    pass_mark = serializers.IntegerField(source="competition.pass_mark", required=False, allow_null=True)
    passed = StateOnlyMethodField(
        required=False, help_text="Submitted only: score >= pass mark, or null when there is no pass mark."
    )
    review = StateOnlyMethodField(required=False, help_text="Submitted only.")

    IN_PROGRESS_ONLY = ("questions",)
    SUBMITTED_ONLY = (
        "submitted_at",
        "score",
        "correct_count",
        "duration_seconds",
        "speed_bonus",
        "pass_mark",
        "passed",
        "review",
    )

    def get_server_time(self, obj: Attempt) -> str:
        return serializers.DateTimeField().to_representation(self.context.get("now") or timezone.now())

    def get_time_limit_seconds(self, obj: Attempt) -> int:
        return int((obj.deadline - obj.started_at).total_seconds())

    @extend_schema_field(AttemptQuestionSerializer(many=True))
    def get_questions(self, obj: Attempt) -> list[dict]:
        context = {"practice": obj.is_practice}
        return AttemptQuestionSerializer(_items(obj), many=True, context=context).data

    def get_speed_bonus(self, obj: Attempt) -> int:
        return obj.score - sum(item.points for item in _items(obj))

    def get_passed(self, obj: Attempt) -> bool | None:
        return obj.passed

    @extend_schema_field(AttemptReviewItemSerializer(many=True))
    def get_review(self, obj: Attempt) -> list[dict]:
        return AttemptReviewItemSerializer(_items(obj), many=True).data

    def to_representation(self, instance: Attempt) -> dict:
        submitted = instance.status == Attempt.Status.SUBMITTED
        drop = self.IN_PROGRESS_ONLY if submitted else self.SUBMITTED_ONLY
        fields = self.fields
        data = {}
        for name, field in fields.items():
            if name in drop:
                continue
            attribute = field.get_attribute(instance)
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


_DATETIME = serializers.DateTimeField()
_datetime = _DATETIME.to_representation


def _items(attempt: Attempt) -> list[AttemptItem]:
    return sorted(attempt.items.all(), key=lambda item: item.position)


def _letters(value: list[str] | None) -> list[str] | None:
    return None if value is None else [str(letter) for letter in value]


def _flag(value: bool | None) -> bool | None:
    return None if value is None else bool(value)


def attempt_body(attempt: Attempt, *, now: datetime) -> dict[str, Any]:
    """AttemptOutputSerializer's output, built as plain dicts: the same keys in the same order and
    the same values, so the same JSON bytes (tests/quiz/test_attempt_body.py compares them). Start,
    detail and submit answer with it; DRF's per-field machinery cost more than the rest of a start.
    The serializers above stay the schema. `attempt` has its competition and items loaded."""
    competition = attempt.competition
    items = _items(attempt)
    body: dict[str, Any] = {
        "id": int(attempt.pk),
        "competition": int(attempt.competition_id),
        "competition_title": str(competition.title),
        "status": str(attempt.status),
        "started_at": _datetime(attempt.started_at),
        "deadline": _datetime(attempt.deadline),
        "server_time": _datetime(now),
        "time_limit_seconds": int((attempt.deadline - attempt.started_at).total_seconds()),
        "question_count": int(attempt.question_count),
        "is_practice": bool(attempt.is_practice),
    }
    if attempt.status != Attempt.Status.SUBMITTED:
        practice = attempt.is_practice
        questions = []
        for item in items:
            question = {
                "id": int(item.question_id),
                "position": int(item.position),
                "type": str(item.type),
                "stem": str(item.stem),
                "options": item.shown_options,
                "selected": _letters(item.selected),
            }
            if practice and item.selected is not None:  # practice feedback on an answered question
                question["correct"] = _letters(item.correct)
                question["is_correct"] = _flag(item.is_correct)
                question["explanation"] = str(item.explanation)
            questions.append(question)
        body["questions"] = questions
        return body
    pass_mark = competition.pass_mark
    body.update(
        submitted_at=_datetime(attempt.submitted_at),
        score=int(attempt.score),
        correct_count=int(attempt.correct_count),
        duration_seconds=None if attempt.duration_seconds is None else int(attempt.duration_seconds),
        speed_bonus=attempt.score - sum(item.points for item in items),
        pass_mark=None if pass_mark is None else int(pass_mark),
        passed=attempt.passed,
        review=[
            {
                "question": int(item.question_id),
                "position": int(item.position),
                "type": str(item.type),
                "stem": str(item.stem),
                "options": item.shown_options,
                "selected": _letters(item.selected),
                "correct": _letters(item.correct),
                "is_correct": _flag(item.is_correct),
                "points": int(item.points),
                "explanation": str(item.explanation),
                "category": str(item.category),
            }
            for item in items
        ],
    )
    return body


def _attempt_response(attempt: Attempt, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(attempt_body(attempt, now=timezone.now()), status=code)


class AttemptStartApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AttemptStartThrottle]

    @extend_schema(
        operation_id="attempts_start",
        request=None,
        responses={
            201: OpenApiResponse(AttemptOutputSerializer, description="a new attempt"),
            200: OpenApiResponse(
                AttemptOutputSerializer,
                description="the caller's running attempt, resumed (refresh, lost connection)",
            ),
            403: error_response("`not_ranked_role`: organizers and admins may start practice attempts only"),
            404: error_response("no such competition (or a draft)"),
            409: error_response(
                "`not_open` outside the window or closed; `not_enough_questions` (a practice also leaves out "
                "the questions of ranked competitions not over yet)"
            ),
            429: error_response("`daily_limit_reached`: the day's attempts are used (Asia/Shanghai day)"),
        },
    )
    def post(self, request, competition_id: int):
        competition = competition_selectors.competition_get(competition_id=competition_id, user=request.user)
        attempt, created = attempt_services.attempt_start(user=request.user, competition=competition)
        return _attempt_response(attempt, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttemptDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempts_retrieve",
        responses={200: AttemptOutputSerializer, 404: error_response("no such attempt, or not the caller's")},
    )
    def get(self, request, attempt_id: int):
        attempt = attempt_selectors.attempt_get_for_viewer(attempt_id=attempt_id, user=request.user)
        return _attempt_response(finalising.attempt_finalise_if_overdue(attempt=attempt))


class AttemptAnswerSaveApi(APIView):
    permission_classes = [IsAuthenticated]

    class AttemptAnswerInputSerializer(serializers.Serializer):
        selected = serializers.ListField(
            child=serializers.CharField(max_length=1),
            allow_null=True,
            max_length=6,
            help_text='Option letters, e.g. ["A","C"]; an empty list clears the answer.',
        )

    class AttemptAnswerOutputSerializer(serializers.Serializer):
        question = serializers.IntegerField()
        selected = serializers.ListField(child=serializers.CharField(), allow_null=True)
        saved_at = serializers.DateTimeField(allow_null=True)
        correct = serializers.ListField(
            child=serializers.CharField(), required=False, help_text="Practice only."
        )
        is_correct = serializers.BooleanField(required=False, help_text="Practice only.")
        points = serializers.IntegerField(required=False, help_text="Practice only.")
        explanation = serializers.CharField(required=False, help_text="Practice only.")

    _LETTERS = frozenset(string.ascii_uppercase)

    @classmethod
    def _selected(cls, data) -> list[str] | None:
        """The body's `selected`. The usual body (`null`, or a list of at most 6 capital letters)
        is read directly: building the input serializer cost a fifth of this view (BENCHMARKS.md,
        issue 16), and for such a body it returns the same list. Any other body goes through the
        serializer, which accepts or refuses it as before (tests/quiz/test_answer_save_api.py)."""
        if isinstance(data, dict) and "selected" in data:
            selected = data["selected"]
            if selected is None:
                return None
            if (
                type(selected) is list
                and len(selected) <= 6
                and all(type(s) is str and s in cls._LETTERS for s in selected)
            ):
                return list(selected)
        serializer = cls.AttemptAnswerInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["selected"]

    @extend_schema(
        operation_id="attempts_answer_save",
        request=AttemptAnswerInputSerializer,
        responses={
            200: AttemptAnswerOutputSerializer,
            400: error_response("`question_not_in_attempt`, `invalid_option`, malformed body"),
            404: error_response("no such attempt, or not the caller's"),
            409: error_response("`deadline_passed`, `already_submitted`, `already_answered` (practice)"),
        },
    )
    def put(self, request, attempt_id: int, question_id: int):
        item = attempt_services.attempt_save_answer(
            user=request.user,
            attempt_id=attempt_id,
            question_id=question_id,
            selected=self._selected(request.data),
        )
        # A plain dict in the output serializer's shape: 10 of a participant's 12 requests are this
        # one, and building the serializer's fields cost more than the rest of the view (BENCHMARKS.md).
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


class AttemptSubmitAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.CharField(max_length=1), allow_null=True, max_length=6)


class AttemptSubmitInputSerializer(serializers.Serializer):
    answers = AttemptSubmitAnswerSerializer(many=True, required=False, default=list, max_length=500)


_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _plain_answers(data: object) -> list[dict] | None:
    """The answers of a body in the plain shape clients send (`{"answers": [{"question": 12,
    "selected": ["A"]}]}`: integer ids, single ASCII letters), exactly as AttemptSubmitInputSerializer
    would validate them; None for anything else, which the serializer then validates and reports as
    ever. Validating ten answers field by field cost about a tenth of a submission's CPU."""
    if type(data) is not dict:
        return None
    answers = data.get("answers", [])
    if type(answers) is not list or len(answers) > 500:
        return None
    plain = []
    for answer in answers:
        if type(answer) is not dict or type(answer.get("question")) is not int or "selected" not in answer:
            return None
        selected = answer["selected"]
        if selected is not None and (
            type(selected) is not list
            or len(selected) > 6
            or not all(type(letter) is str and letter in _LETTERS for letter in selected)
        ):
            return None
        plain.append(
            {"question": answer["question"], "selected": None if selected is None else list(selected)}
        )
    return plain


class AttemptSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempts_submit",
        request=AttemptSubmitInputSerializer,
        responses={
            200: OpenApiResponse(
                AttemptOutputSerializer, description="the result, with review (the same on a retry)"
            ),
            400: error_response("`question_not_in_attempt`, `invalid_option`, malformed body"),
            404: error_response("no such attempt, or not the caller's"),
            409: error_response("`already_submitted`: submitted again after the deadline plus grace"),
        },
    )
    def post(self, request, attempt_id: int):
        answers = _plain_answers(request.data)
        if answers is None:
            data = AttemptSubmitInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            answers = [dict(answer) for answer in data.validated_data["answers"]]
        attempt, _scored = attempt_services.attempt_submit(
            user=request.user, attempt_id=attempt_id, answers=answers
        )
        return _attempt_response(attempt)
