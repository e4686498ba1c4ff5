"""The learning loop's endpoints (issue 18): start a wrong-answer or topic practice round, my progress.

A round's payload is the attempt payload (`is_practice: true`); it is then answered and submitted
through the attempt endpoints, with practice feedback.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import AttemptStartThrottle
from quiz.apis.attempts import AttemptOutputSerializer, _attempt_response
from quiz.apis.common import error_response as _error
from quiz.selectors import competitions as competition_selectors
from quiz.selectors import progress as progress_selectors
from quiz.services import practice as practice_services

_STARTED = {
    201: OpenApiResponse(AttemptOutputSerializer, description="a new practice round"),
    200: OpenApiResponse(
        AttemptOutputSerializer, description="the caller's running round of that kind, resumed"
    ),
}


class WrongAnswerPracticeStartApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AttemptStartThrottle]

    @extend_schema(
        operation_id="me_wrong_answers_practice",
        request=None,
        responses={**_STARTED, 409: _error("`nothing_to_practise`: every wrong question is mastered")},
        description=(
            "A practice round over the caller's active wrong questions (most often wrong, then least "
            "recently seen, first). Never counts in points or rankings."
        ),
    )
    def post(self, request):
        attempt, created = practice_services.practice_wrong_answers_start(user=request.user)
        return _attempt_response(attempt, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class TopicPracticeStartApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AttemptStartThrottle]

    class TopicPracticeQuerySerializer(serializers.Serializer):
        category = serializers.CharField(max_length=100, help_text="A category of the competition's banks.")

    @extend_schema(
        operation_id="competitions_practice",
        request=None,
        parameters=[TopicPracticeQuerySerializer],
        responses={
            **_STARTED,
            400: _error("`unknown_category`, missing category"),
            404: _error("no such competition (or a draft)"),
            409: _error("`not_enough_questions`: nothing of that category may be practised now"),
        },
        description=(
            "A practice round on one category of the competition's banks (questions of ranked "
            "competitions not over yet are left out). Never counts in points or rankings."
        ),
    )
    def post(self, request, competition_id: int):
        query = self.TopicPracticeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition = competition_selectors.competition_get(competition_id=competition_id, user=request.user)
        attempt, created = practice_services.practice_topic_start(
            user=request.user, competition=competition, category=query.validated_data["category"]
        )
        return _attempt_response(attempt, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CategoryRateSerializer(serializers.Serializer):
    category = serializers.CharField()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    correct_rate = serializers.FloatField()
    competition = serializers.IntegerField(
        help_text="Where to practise it: the latest competition that asked it."
    )


class MyProgressSerializer(serializers.Serializer):
    categories = CategoryRateSerializer(many=True)
    wrong_questions = serializers.IntegerField(help_text="Questions ever answered wrong.")
    mastered = serializers.IntegerField(help_text="Of those, mastered since (right twice in a row).")
    active = serializers.IntegerField(help_text="Still in the active wrong-answer book.")


class MyProgressApi(APIView):
    permission_classes = [IsAuthenticated]

    class MyProgressQuerySerializer(serializers.Serializer):
        competition = serializers.IntegerField(
            required=False, min_value=1, help_text="Only this competition's."
        )

    @extend_schema(
        operation_id="me_progress",
        parameters=[MyProgressQuerySerializer],
        responses={200: MyProgressSerializer},
        description=(
            "Correct rate per category over the caller's submitted attempts, weakest first, and how many "
            "wrong questions are mastered."
        ),
    )
    def get(self, request):
        query = self.MyProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = progress_selectors.user_progress(
            user=request.user, competition_id=query.validated_data.get("competition")
        )
        return Response(MyProgressSerializer(body).data)
