"""Prize draws (docs/api.md "Mobilisation", docs/campaign.md): make (admins), list, read (masked), verify, export (admins)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.exports import draw_export_xlsx
from campaign.models import Draw
from campaign.selectors.draws import draw_get, draw_list, draw_payload, draw_verify
from campaign.services.draws import draw_create
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsAdminRole
from quiz.models import Competition
from quiz.selectors.competitions import competition_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DrawInputSerializer(serializers.Serializer):
    class PrizeSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        count = serializers.IntegerField(min_value=1, max_value=10_000)

    class EligibilitySerializer(serializers.Serializer):
        min_best_score = serializers.IntegerField(required=False, min_value=0, allow_null=True)
        min_points = serializers.IntegerField(required=False, min_value=0, allow_null=True)
        region = serializers.IntegerField(required=False, min_value=1, allow_null=True)

    title = serializers.CharField(max_length=200)
    prizes = PrizeSerializer(many=True)
    eligibility = EligibilitySerializer(required=False, default=dict)
    seed = serializers.CharField(max_length=200)


class CompetitionDrawApi(APIView):
    """GET: the competition's draws (anyone; masked; a draft competition's only for admins, else 404);
    POST: make a draw (admins)."""

    def get_permissions(self):
        return [IsAdminRole()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        responses={200: {"type": "array", "items": {"type": "object"}}}, operation_id="competition_draw_list"
    )
    def get(self, request, competition_id: int):
        competition = competition_get(competition_id=competition_id, user=request.user)
        return Response(
            [
                draw_payload(draw=d, viewer=request.user)
                for d in draw_list(competition=competition, user=request.user)
            ]
        )

    @extend_schema(
        request=DrawInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
        operation_id="competition_draw_create",
    )
    def post(self, request, competition_id: int):
        competition = get_object_or_404(Competition, pk=competition_id)
        data = DrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draw = draw_create(competition=competition, created_by=request.user, **data.validated_data)
        return Response(draw_payload(draw=draw, viewer=request.user), status=status.HTTP_201_CREATED)


class DrawDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="draw_retrieve")
    def get(self, request, draw_id: int):
        draw = draw_get(draw_id=draw_id, user=request.user)
        return Response(draw_payload(draw=draw, viewer=request.user))


class DrawVerifyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="draw_verify")
    def get(self, request, draw_id: int):
        return Response(draw_verify(draw=draw_get(draw_id=draw_id, user=request.user)))


class DrawExportApi(APIView):
    permission_classes = [IsAdminRole]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY}, operation_id="draw_export")
    def get(self, request, draw_id: int):
        draw = get_object_or_404(Draw, pk=draw_id)
        response = HttpResponse(draw_export_xlsx(draw=draw), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}.xlsx"'
        return response
