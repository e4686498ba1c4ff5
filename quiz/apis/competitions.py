"""Competition and attempt endpoints of docs/api.md (plus resume, answer saving, practice feedback,
the wrong-answer book).

Views are thin: they parse input, call a service or selector and shape the output. Before
submission the output serializers here never carry an item's `correct`, `explanation` or
`is_correct` (practice feedback on an answered question is the one documented exception).

`/competitions/` and `/competitions/{id}/` serve two operations each (list/create,
retrieve/update) because a URL maps to one view class; each method keeps its own permission.
"""

from django.urls import path
from django.utils import timezone
from django.utils.translation import pgettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAdminRole
from core.throttles import AttemptStartThrottle
from core.validators import plausible_moment
from quiz.models import Attempt, AttemptItem, Competition, Question
from quiz.selectors import attempts as attempt_selectors
from quiz.selectors import competitions as competition_selectors
from quiz.services import attempts as attempt_services
from quiz.services import competitions as competition_services

ERROR_SCHEMA = inline_serializer(
    "CompetitionErrorResponse",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.DictField(), required=False),
        "extra": serializers.DictField(required=False),
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR_SCHEMA, description=description)


# --- competitions --------------------------------------------------------------------------------


class CompetitionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    questions_per_attempt = serializers.IntegerField()
    time_limit_seconds = serializers.IntegerField()
    attempts_per_day = serializers.IntegerField()
    points_per_correct = serializers.IntegerField()
    status = serializers.SerializerMethodField(help_text="draft, upcoming, open or closed")
    scoring_mode = serializers.CharField()
    speed_bonus_max_points = serializers.IntegerField()
    pass_mark = serializers.IntegerField(allow_null=True)
    is_practice = serializers.BooleanField()
    shuffle_options = serializers.BooleanField()
    draw_rules = serializers.JSONField()
    banks = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()
    attempts_left_today = serializers.SerializerMethodField(
        help_text="Attempts the caller may still start today (Asia/Shanghai); null when not logged in."
    )

    def get_status(self, obj: Competition) -> str:
        return obj.status_at(self.context.get("now") or timezone.now())

    def get_banks(self, obj: Competition) -> list[int]:
        return [bank.pk for bank in obj.banks.all()]

    def get_max_score(self, obj: Competition) -> int:
        return obj.questions_per_attempt * obj.points_per_correct + obj.speed_bonus_max_points

    def get_attempts_left_today(self, obj: Competition) -> int | None:
        started = self.context.get("started_today")
        if started is None:
            return None
        return competition_selectors.attempts_left_today(
            competition=obj, started_today=started.get(obj.pk, 0)
        )


def _competition_context(request, competitions: list[Competition]) -> dict:
    now = timezone.now()
    context = {"now": now}
    if request.user.is_authenticated:
        context["started_today"] = competition_selectors.attempts_started_today(
            user=request.user, competition_ids=[c.pk for c in competitions], now=now
        )
    return context


class CompetitionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    banks = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    starts_at = serializers.DateTimeField(validators=[plausible_moment])
    ends_at = serializers.DateTimeField(validators=[plausible_moment])
    questions_per_attempt = serializers.IntegerField(min_value=1, max_value=200, default=10)
    time_limit_seconds = serializers.IntegerField(min_value=10, max_value=24 * 3600, default=600)
    attempts_per_day = serializers.IntegerField(min_value=1, max_value=1000, default=3)
    points_per_correct = serializers.IntegerField(min_value=0, max_value=1000, default=10)
    draw_rules = serializers.JSONField(required=False, default=list)
    shuffle_options = serializers.BooleanField(required=False, default=False)
    scoring_mode = serializers.ChoiceField(choices=Competition.ScoringMode.choices, default="all_or_nothing")
    speed_bonus_max_points = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    pass_mark = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    is_practice = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=["draft", "published", "closed"], default="published")


class CompetitionListCreateApi(APIView):
    """GET: public list (drafts only for admins). POST: create (admin)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAdminRole()]

    @extend_schema(
        operation_id="competitions_list",
        responses={200: CompetitionOutputSerializer(many=True)},
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],
    )
    def get(self, request):
        competitions = list(
            competition_selectors.competition_list(user=request.user).prefetch_related("banks")
        )
        context = _competition_context(request, competitions)
        return Response(CompetitionOutputSerializer(competitions, many=True, context=context).data)

    @extend_schema(
        operation_id="competitions_create",
        request=CompetitionInputSerializer,
        responses={
            201: CompetitionOutputSerializer,
            400: _error("invalid input (window, banks, draw rules)"),
        },
    )
    def post(self, request):
        data = CompetitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = competition_services.competition_create(**data.validated_data)
        body = CompetitionOutputSerializer(
            competition, context=_competition_context(request, [competition])
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class CompetitionDetailApi(APIView):
    """GET: one competition (public; a draft is 404 but for admins). PATCH: change or close it (admin)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAdminRole()]

    @extend_schema(
        operation_id="competitions_retrieve",
        responses={200: CompetitionOutputSerializer, 404: _error("no such competition")},
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],
    )
    def get(self, request, competition_id: int):
        competition = competition_selectors.competition_get(competition_id=competition_id, user=request.user)
        return Response(
            CompetitionOutputSerializer(
                competition, context=_competition_context(request, [competition])
            ).data
        )

    @extend_schema(
        operation_id="competitions_update",
        request=CompetitionInputSerializer(partial=True),
        responses={
            200: CompetitionOutputSerializer,
            400: _error("invalid input"),
            404: _error("no such competition"),
        },
    )
    def patch(self, request, competition_id: int):
        competition = competition_selectors.competition_get(competition_id=competition_id, user=request.user)
        data = CompetitionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        banks = fields.pop("banks", None)
        new_status = fields.pop("status", None)
        competition = competition_services.competition_update(
            competition=competition, data=fields, banks=banks, status=new_status
        )
        return Response(
            CompetitionOutputSerializer(
                competition, context=_competition_context(request, [competition])
            ).data
        )


# --- attempts ------------------------------------------------------------------------------------


def shown_options(item: AttemptItem) -> list[dict[str, str]]:
    """The options as the attempt shows them; a judge question in the caller's language."""
    if item.type == Question.Type.JUDGE:
        return [
            {"key": "A", "text": pgettext("judge option", "True")},
            {"key": "B", "text": pgettext("judge option", "False")},
        ]
    return item.options


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
        return shown_options(obj)

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
        return shown_options(obj)


def _passed(attempt: Attempt) -> bool | None:
    pass_mark = attempt.competition.pass_mark
    if pass_mark is None or attempt.status != Attempt.Status.SUBMITTED:
        return None
    return attempt.score >= pass_mark


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
        return _passed(obj)

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


def _items(attempt: Attempt) -> list[AttemptItem]:
    return sorted(attempt.items.all(), key=lambda item: item.position)


def _attempt_response(attempt: Attempt, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(AttemptOutputSerializer(attempt, context={"now": timezone.now()}).data, status=code)


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
            403: _error("`not_ranked_role`: organizers and admins may start practice attempts only"),
            404: _error("no such competition (or a draft)"),
            409: _error(
                "`not_open` outside the window or closed; `not_enough_questions` (a practice also leaves out "
                "the questions of ranked competitions not over yet)"
            ),
            429: _error("`daily_limit_reached`: the day's attempts are used (Asia/Shanghai day)"),
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
        responses={200: AttemptOutputSerializer, 404: _error("no such attempt, or not the caller's")},
    )
    def get(self, request, attempt_id: int):
        attempt = attempt_selectors.attempt_get_for_viewer(attempt_id=attempt_id, user=request.user)
        if attempt_services.attempt_is_overdue(attempt=attempt, now=timezone.now()):
            attempt_services.attempt_expire_overdue(attempt_id=attempt.pk)
            attempt = attempt_selectors.attempt_get_for_viewer(attempt_id=attempt_id, user=request.user)
        return _attempt_response(attempt)


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

    @extend_schema(
        operation_id="attempts_answer_save",
        request=AttemptAnswerInputSerializer,
        responses={
            200: AttemptAnswerOutputSerializer,
            400: _error("`question_not_in_attempt`, `invalid_option`, malformed body"),
            404: _error("no such attempt, or not the caller's"),
            409: _error("`deadline_passed`, `already_submitted`, `already_answered` (practice)"),
        },
    )
    def put(self, request, attempt_id: int, question_id: int):
        data = self.AttemptAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = attempt_services.attempt_save_answer(
            user=request.user,
            attempt_id=attempt_id,
            question_id=question_id,
            selected=data.validated_data["selected"],
        )
        body = {"question": item.question_id, "selected": item.selected, "saved_at": item.answered_at}
        if item.attempt.is_practice:
            body.update(
                correct=item.correct,
                is_correct=item.is_correct,
                points=item.points,
                explanation=item.explanation,
            )
        return Response(self.AttemptAnswerOutputSerializer(body).data)


class AttemptSubmitAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.CharField(max_length=1), allow_null=True, max_length=6)


class AttemptSubmitInputSerializer(serializers.Serializer):
    answers = AttemptSubmitAnswerSerializer(many=True, required=False, default=list, max_length=500)


class AttemptSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempts_submit",
        request=AttemptSubmitInputSerializer,
        responses={
            200: OpenApiResponse(
                AttemptOutputSerializer, description="the result, with review (the same on a retry)"
            ),
            400: _error("`question_not_in_attempt`, `invalid_option`, malformed body"),
            404: _error("no such attempt, or not the caller's"),
            409: _error("`already_submitted`: submitted again after the deadline plus grace"),
        },
    )
    def post(self, request, attempt_id: int):
        data = AttemptSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = [dict(answer) for answer in data.validated_data["answers"]]
        attempt, _scored = attempt_services.attempt_submit(
            user=request.user, attempt_id=attempt_id, answers=answers
        )
        return _attempt_response(attempt)


class HistoryPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class AttemptListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    competition = serializers.IntegerField(source="competition_id")
    competition_title = serializers.CharField(source="competition.title")
    status = serializers.CharField()
    is_practice = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    question_count = serializers.IntegerField()
    score = serializers.SerializerMethodField()
    correct_count = serializers.SerializerMethodField()
    duration_seconds = serializers.IntegerField(allow_null=True)
    passed = serializers.SerializerMethodField()

    def get_score(self, obj: Attempt) -> int | None:
        return obj.score if obj.status == Attempt.Status.SUBMITTED else None

    def get_correct_count(self, obj: Attempt) -> int | None:
        return obj.correct_count if obj.status == Attempt.Status.SUBMITTED else None

    def get_passed(self, obj: Attempt) -> bool | None:
        return _passed(obj)


def _paginated(name: str, serializer: serializers.Serializer):
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer,
        },
    )


class MyAttemptListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_attempts_list",
        responses={200: _paginated("PaginatedMyAttemptList", AttemptListItemSerializer(many=True))},
    )
    def get(self, request):
        attempt_services.attempt_expire_overdue(user=request.user)
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(
            attempt_selectors.attempt_list_for_user(user=request.user), request, self
        )
        return paginator.get_paginated_response(AttemptListItemSerializer(page, many=True).data)


class WrongAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    type = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.SerializerMethodField()
    selected = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="null: left unanswered"
    )
    correct = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
    category = serializers.CharField()
    times_wrong = serializers.IntegerField()
    attempt = serializers.IntegerField(source="attempt_id")
    competition = serializers.IntegerField(source="attempt.competition_id")
    competition_title = serializers.CharField(source="attempt.competition.title")
    submitted_at = serializers.DateTimeField(source="attempt.submitted_at")

    @extend_schema_field(AttemptOptionSerializer(many=True))
    def get_options(self, obj: AttemptItem) -> list[dict[str, str]]:
        return shown_options(obj)


class WrongAnswerListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_wrong_answers_list",
        responses={200: _paginated("PaginatedWrongAnswerList", WrongAnswerSerializer(many=True))},
    )
    def get(self, request):
        attempt_services.attempt_expire_overdue(user=request.user)
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(
            attempt_selectors.wrong_answer_list(user=request.user), request, self
        )
        return paginator.get_paginated_response(WrongAnswerSerializer(page, many=True).data)


urlpatterns = [
    path("competitions/", CompetitionListCreateApi.as_view(), name="competitions"),
    path("competitions/<int:competition_id>/", CompetitionDetailApi.as_view(), name="competition-detail"),
    path("competitions/<int:competition_id>/attempts/", AttemptStartApi.as_view(), name="attempt-start"),
    path("attempts/<int:attempt_id>/", AttemptDetailApi.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        AttemptAnswerSaveApi.as_view(),
        name="attempt-answer",
    ),
    path("attempts/<int:attempt_id>/submit/", AttemptSubmitApi.as_view(), name="attempt-submit"),
    path("me/attempts/", MyAttemptListApi.as_view(), name="my-attempts"),
    path("me/wrong-answers/", WrongAnswerListApi.as_view(), name="my-wrong-answers"),
]
