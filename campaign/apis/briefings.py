"""The daily briefing (通报) as JSON, chat text or poster, and the supervision list (督办)."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import images, selectors
from campaign.apis.scope import competition_and_scope
from core.errors import ApplicationError
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsOrganizerOrAdmin

BRIEFING_FORMATS = ("json", "txt", "png")


def briefing_filename(*, briefing: dict, extension: str) -> str:
    """`briefing-<region code or all>-<YYYYmmdd-HHMM>.<ext>`: the API, the page and the command agree."""
    region = briefing["region"]["code"] if briefing["region"] else "all"
    stamp = timezone.localtime(briefing["as_of"]).strftime("%Y%m%d-%H%M")
    return f"briefing-{region}-{stamp}.{extension}"


class RegionQuerySerializer(serializers.Serializer):
    region = serializers.IntegerField(required=False, min_value=1)


class BriefingApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileDownloadNegotiation  # ?format=txt|png chooses the file

    @extend_schema(
        parameters=[
            RegionQuerySerializer,
            OpenApiParameter("format", str, enum=list(BRIEFING_FORMATS), description="Default json."),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/plain"): OpenApiTypes.STR,
            (200, "image/png"): OpenApiTypes.BINARY,
        },
        operation_id="competition_briefing",
        description="The briefing of the region as of now, compared with 24 hours earlier.",
    )
    def get(self, request, competition_id: int):
        query = RegionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = request.query_params.get("format") or "json"
        if fmt not in BRIEFING_FORMATS:
            raise ApplicationError(_("Choose format json, txt or png."), code="invalid_format")
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        briefing = selectors.briefing_build(competition=competition, scope=scope)
        if fmt == "json":
            return Response(briefing)
        if fmt == "txt":
            response = HttpResponse(
                selectors.briefing_text(briefing=briefing), content_type="text/plain; charset=utf-8"
            )
        else:
            response = HttpResponse(images.briefing_png(briefing=briefing), content_type="image/png")
        filename = briefing_filename(briefing=briefing, extension=fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SupervisionListApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    @extend_schema(
        parameters=[RegionQuerySerializer],
        responses={200: {"type": "array", "items": {"type": "object"}}},
        operation_id="competition_supervision",
        description="Units reminded twice or more and still below the rate, with each reminder and progress since.",
    )
    def get(self, request, competition_id: int):
        query = RegionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        return Response(selectors.supervision_list(competition=competition, scope=scope))
