"""Ranking bulletins: issue, list, read, export."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import exports, selectors, services
from campaign.apis.scope import competition_and_scope
from campaign.models import Bulletin
from campaign.serializers import (
    CampaignBulletinDetailSerializer,
    CampaignBulletinRowsSerializer,
    CampaignBulletinSerializer,
)
from core.errors import ApplicationError
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsOrganizerOrAdmin
from core.validators import plausible_moment
from quiz.models import Competition


class BulletinApi(APIView):
    """GET: the competition's bulletins; POST: issue one. Two operations on one collection path."""

    permission_classes = [IsOrganizerOrAdmin]

    class BulletinIssueInputSerializer(serializers.Serializer):
        title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        ranked_by = serializers.ChoiceField(choices=Bulletin.RankedBy.choices, default=Bulletin.RankedBy.RATE)
        as_of = serializers.DateTimeField(required=False, allow_null=True, validators=[plausible_moment])
        region = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    @extend_schema(
        responses={200: CampaignBulletinSerializer(many=True)}, operation_id="competition_bulletin_list"
    )
    def get(self, request, competition_id: int):
        competition = get_object_or_404(Competition, pk=competition_id)
        bulletins = selectors.bulletin_list(user=request.user, competition=competition)
        return Response(CampaignBulletinSerializer(bulletins, many=True).data)

    @extend_schema(
        request=BulletinIssueInputSerializer,
        responses={201: CampaignBulletinDetailSerializer},
        operation_id="competition_bulletin_issue",
        description="Freeze county and unit rankings of the caller's scope as of a moment (default now).",
    )
    def post(self, request, competition_id: int):
        data = self.BulletinIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=data.validated_data.get("region")
        )
        bulletin = services.bulletin_issue(
            competition=competition,
            issued_by=request.user,
            scope=scope,
            title=data.validated_data.get("title", ""),
            ranked_by=data.validated_data["ranked_by"],
            as_of=data.validated_data.get("as_of"),
        )
        return Response(_detail(bulletin), status=status.HTTP_201_CREATED)


def _detail(bulletin: Bulletin) -> dict:
    body = dict(CampaignBulletinSerializer(bulletin).data)
    body["rows"] = CampaignBulletinRowsSerializer(selectors.bulletin_rows_localized(bulletin=bulletin)).data
    return body


class BulletinDetailApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    @extend_schema(responses={200: CampaignBulletinDetailSerializer}, operation_id="bulletin_retrieve")
    def get(self, request, bulletin_id: int):
        bulletin = get_object_or_404(selectors.bulletins_visible_to(user=request.user), pk=bulletin_id)
        return Response(_detail(bulletin))


class _FileRenderer(BaseRenderer):
    """Lets DRF's `?format=` pick the file type; the view itself builds the bytes.
    Errors (a dict) still come out as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class XlsxRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


def bulletin_filename_stem(*, bulletin, stamp: str) -> str:
    """`排名通报-临夏市-20260615-1800` (in the reader's language): what, where, as of when."""
    region = bulletin.region.name if bulletin.region_id else _("all regions")
    return "-".join([_("ranking bulletin"), region, stamp]).replace(" ", "_").replace("/", "_")


class BulletinExportApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]
    renderer_classes = [JSONRenderer, XlsxRenderer, CsvRenderer]
    content_negotiation_class = FileDownloadNegotiation  # errors answer JSON, not "CSV"

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["xlsx", "csv"], description="File type (default xlsx).")
        ],
        responses={(200, XlsxRenderer.media_type): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
        operation_id="bulletin_export",
        description="The bulletin as a formatted .xlsx (two sheets) or CSV (UTF-8 with BOM), headers in the caller's language.",
    )
    def get(self, request, bulletin_id: int):
        bulletin = get_object_or_404(selectors.bulletins_visible_to(user=request.user), pk=bulletin_id)
        fmt = request.query_params.get("format") or "xlsx"
        if fmt not in ("xlsx", "csv"):
            raise ApplicationError(_("Choose format xlsx or csv."), code="invalid_format")
        stamp = timezone.localtime(bulletin.as_of).strftime("%Y%m%d-%H%M")
        name = bulletin_filename_stem(bulletin=bulletin, stamp=stamp)
        if fmt == "csv":
            response = HttpResponse(
                exports.bulletin_export_csv(bulletin=bulletin), content_type="text/csv; charset=utf-8"
            )
            filename = f"{name}.csv"
        else:
            response = HttpResponse(
                exports.bulletin_export_xlsx(bulletin=bulletin), content_type=XlsxRenderer.media_type
            )
            filename = f"{name}.xlsx"
        # RFC 6266/5987: filename*=UTF-8''… carries the readable name, filename="…" an ASCII fallback.
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
