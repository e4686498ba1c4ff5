"""The caller's own history (docs/api.md): my attempts and the wrong-answer book, paginated."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from core.pagination import PagePagination
from quiz.apis.attempts import AttemptOptionSerializer
from quiz.apis.common import paginated
from quiz.models import Attempt, AttemptItem
from quiz.selectors import attempts as attempt_selectors
from quiz.services import finalising


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
        return obj.passed


class MyAttemptListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_attempts_list",
        responses={200: paginated("PaginatedMyAttemptList", AttemptListItemSerializer(many=True))},
    )
    def get(self, request):
        finalising.attempt_expire_overdue(user=request.user)
        paginator = PagePagination()
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
        return obj.shown_options


class WrongAnswerListApi(APIView):
    permission_classes = [IsAuthenticated]

    class WrongAnswerQuerySerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=["active", "mastered"],
            default="active",
            help_text="active: still to learn; mastered: answered right twice in a row since.",
        )

    @extend_schema(
        operation_id="me_wrong_answers_list",
        parameters=[WrongAnswerQuerySerializer],
        responses={200: paginated("PaginatedWrongAnswerList", WrongAnswerSerializer(many=True))},
    )
    def get(self, request):
        query = self.WrongAnswerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        finalising.attempt_expire_overdue(user=request.user)
        paginator = PagePagination()
        page = paginator.paginate_queryset(
            attempt_selectors.wrong_answer_list(
                user=request.user, mastered=query.validated_data["status"] == "mastered"
            ),
            request,
            self,
        )
        return paginator.get_paginated_response(WrongAnswerSerializer(page, many=True).data)
