"""Statistics, lagging units, item analysis and learning (organizers within their scope, admins everywhere)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import selectors
from campaign.apis.scope import competition_and_scope
from campaign.serializers import (
    CampaignItemAnalysisSerializer,
    CampaignLaggingUnitSerializer,
    CampaignLearningSerializer,
    CampaignStatisticsSerializer,
)
from core.permissions import IsOrganizerOrAdmin
from core.validators import plausible_moment


class CompetitionStatisticsApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    class CampaignStatisticsQuerySerializer(serializers.Serializer):
        by = serializers.ChoiceField(choices=list(selectors.STATISTICS_BY), default="county")
        region = serializers.IntegerField(required=False, min_value=1)
        as_of = serializers.DateTimeField(required=False, validators=[plausible_moment])

    @extend_schema(
        parameters=[CampaignStatisticsQuerySerializer],
        responses={200: CampaignStatisticsSerializer},
        operation_id="competition_statistics",
        description="Participation by county, unit, industry or day of the caller's scope, with the scope's totals.",
    )
    def get(self, request, competition_id: int):
        query = self.CampaignStatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        body = selectors.competition_statistics(
            competition=competition,
            scope=scope,
            by=query.validated_data["by"],
            as_of=query.validated_data.get("as_of"),
        )
        return Response(CampaignStatisticsSerializer(body).data)


class LaggingUnitListApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    class LaggingUnitQuerySerializer(serializers.Serializer):
        threshold = serializers.DecimalField(
            max_digits=5,
            decimal_places=4,
            min_value=0,
            max_value=1,
            required=False,
            help_text="Participation rate (0..1) under which a unit lags.",
        )
        bottom = serializers.IntegerField(
            min_value=1,
            max_value=1000,
            required=False,
            help_text="The N lowest-rated units of each county lag.",
        )
        region = serializers.IntegerField(required=False, min_value=1)

        def validate(self, attrs):
            if attrs.get("threshold") is None and attrs.get("bottom") is None:
                raise serializers.ValidationError("Give threshold, bottom or both.")
            return attrs

    @extend_schema(
        parameters=[LaggingUnitQuerySerializer],
        responses={200: CampaignLaggingUnitSerializer(many=True)},
        operation_id="competition_lagging_units",
    )
    def get(self, request, competition_id: int):
        query = self.LaggingUnitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        units = selectors.lagging_units(
            competition=competition,
            scope=scope,
            threshold=query.validated_data.get("threshold"),
            bottom=query.validated_data.get("bottom"),
        )
        return Response(CampaignLaggingUnitSerializer(units, many=True).data)


class ItemAnalysisApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    class ItemAnalysisQuerySerializer(serializers.Serializer):
        region = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        parameters=[ItemAnalysisQuerySerializer],
        responses={200: CampaignItemAnalysisSerializer},
        operation_id="competition_item_analysis",
        description=(
            "Per question: times drawn, correct rate, discrimination (upper minus lower 27% of attempts "
            "by score) and the most chosen wrong option in the question's own lettering; per category: "
            "correct rate. Hardest first."
        ),
    )
    def get(self, request, competition_id: int):
        query = self.ItemAnalysisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        body = selectors.item_analysis(competition=competition, scope=scope)
        return Response(CampaignItemAnalysisSerializer(body).data)


class CompetitionLearningApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    class CompetitionLearningQuerySerializer(serializers.Serializer):
        region = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        parameters=[CompetitionLearningQuerySerializer],
        responses={200: CampaignLearningSerializer},
        operation_id="competition_learning",
        description=(
            "Is the campaign teaching? Of the wrong answers (person, question) in the scope's counted "
            "attempts, how many are mastered now (answered right twice in a row since the last wrong "
            "answer), in all and per category, lowest share first."
        ),
    )
    def get(self, request, competition_id: int):
        query = self.CompetitionLearningQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        body = selectors.learning_by_category(competition=competition, scope=scope)
        return Response(CampaignLearningSerializer(body).data)
