"""Competition endpoints of docs/api.md: the public list and detail, create and update (admin).

`/competitions/` and `/competitions/{id}/` serve two operations each (list/create,
retrieve/update) because a URL maps to one view class; each method keeps its own permission.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAdminRole
from core.validators import plausible_moment
from quiz.apis.common import error_response
from quiz.models import Competition
from quiz.selectors import competitions as competition_selectors
from quiz.services import competitions as competition_services


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
            400: error_response("invalid input (window, banks, draw rules)"),
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
        responses={200: CompetitionOutputSerializer, 404: error_response("no such competition")},
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
            400: error_response("invalid input"),
            404: error_response("no such competition"),
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
