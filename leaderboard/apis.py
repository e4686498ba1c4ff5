"""Leaderboard and live statistics API (see docs/api.md, "Leaderboards and live statistics")."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsOrganizerOrAdmin
from leaderboard import selectors


class LeaderboardGetInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=selectors.SCOPES, default="individual")
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.MAX_LIMIT, default=selectors.DEFAULT_LIMIT
    )


def leaderboard_params(query) -> tuple[str, int]:
    """`scope` and `limit` of a ranking's query string (a QueryDict).

    The usual query (a known scope, a limit of plain digits in range, either left out) is read
    directly: building the input serializer was a tenth of a ranking read's CPU (BENCHMARKS.md,
    issue 16). Anything else goes through the serializer, so odd but valid input (`limit=20.0`)
    is accepted and bad input refused exactly as before (tests/leaderboard/test_read_params.py).
    Like the serializer, a repeated parameter counts by its last value and an empty one by
    its default."""
    scope = query.get("scope") or "individual"
    raw = query.get("limit")
    if scope in selectors.SCOPES:
        if not raw:
            return scope, selectors.DEFAULT_LIMIT
        if len(raw) <= 4 and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= selectors.MAX_LIMIT:
            return scope, int(raw)
    params = LeaderboardGetInputSerializer(data=query)
    params.is_valid(raise_exception=True)
    return params.validated_data["scope"], params.validated_data["limit"]


class LeaderboardEntryOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField()
    best_score = serializers.IntegerField(required=False, help_text="individual scope")
    participants = serializers.IntegerField(required=False, help_text="region and organization scopes")
    attempts = serializers.IntegerField()


class LeaderboardOutputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=selectors.SCOPES)
    updated_at = serializers.DateTimeField(allow_null=True)
    entries = LeaderboardEntryOutputSerializer(many=True)
    me = LeaderboardEntryOutputSerializer(
        required=False, allow_null=True, help_text="individual scope: the caller's own rank, null if none"
    )


class CompetitionLeaderboardGetApi(APIView):
    """A competition's ranking. Individuals: points, then best score, then who got there first.

    Counties and units: points, then participants. Any logged-in user may read it; with Redis it
    runs no SQL.
    """

    permission_classes = [IsAuthenticated]

    def redis_prefetch(self, request, competition_id: int) -> list:
        """The ranking's Redis read, sent with the caller's token (core/tokens.py)."""
        scope, limit = leaderboard_params(request.query_params)
        return selectors.leaderboard_prefetch(competition_id=competition_id, scope=scope, limit=limit)

    @extend_schema(
        operation_id="competition_leaderboard",
        parameters=[LeaderboardGetInputSerializer],
        responses={200: LeaderboardOutputSerializer},
    )
    def get(self, request, competition_id: int):
        scope, limit = leaderboard_params(request.query_params)
        body = selectors.leaderboard_get(
            competition_id=competition_id,
            scope=scope,
            limit=limit,
            viewer_id=request.user.pk,
            prefetched=getattr(request, "redis_prefetched", None),
        )
        return Response(body)


class StatsRegionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField()
    attempts = serializers.IntegerField()
    points = serializers.IntegerField()
    headcount_target = serializers.IntegerField()
    participation_rate = serializers.FloatField(allow_null=True, help_text="participants / headcount_target")


class CompetitionStatsOutputSerializer(serializers.Serializer):
    competition = serializers.IntegerField()
    version = serializers.IntegerField(help_text="changes whenever the figures change")
    participants = serializers.IntegerField()
    attempts = serializers.IntegerField()
    points = serializers.IntegerField()
    headcount_target = serializers.IntegerField()
    participation_rate = serializers.FloatField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    regions = StatsRegionOutputSerializer(many=True)


class CompetitionStatsGetApi(APIView):
    """Live statistics: totals over the caller's subtree (everything for an admin) and one row per county."""

    permission_classes = [IsOrganizerOrAdmin]

    def redis_prefetch(self, request, competition_id: int) -> list:
        """The figures' Redis read, sent with the caller's token (core/tokens.py)."""
        return selectors.stats_prefetch(competition_id=competition_id)

    @extend_schema(operation_id="competition_stats", responses={200: CompetitionStatsOutputSerializer})
    def get(self, request, competition_id: int):
        return Response(
            selectors.competition_stats_get(
                competition_id=competition_id,
                user=request.user,
                prefetched=getattr(request, "redis_prefetched", None),
            )
        )


class StatsTimelinePointOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="start of the step")
    participants = serializers.IntegerField(help_text="cumulative")
    attempts = serializers.IntegerField(help_text="cumulative")


class StatsTimelineOutputSerializer(serializers.Serializer):
    bucket_seconds = serializers.IntegerField()
    points = StatsTimelinePointOutputSerializer(many=True)


class CompetitionTimelineGetApi(APIView):
    """Participants and attempts over time (cumulative) for the caller's subtree."""

    permission_classes = [IsOrganizerOrAdmin]

    @extend_schema(
        operation_id="competition_stats_timeline",
        responses={200: StatsTimelineOutputSerializer},
        parameters=[OpenApiParameter("competition_id", int, OpenApiParameter.PATH)],
    )
    def get(self, request, competition_id: int):
        return Response(selectors.competition_timeline_get(competition_id=competition_id, user=request.user))
