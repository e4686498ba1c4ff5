"""Units in bulk (admins): import from .xlsx/.csv and the import template."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.apis.bulletins import CsvRenderer, XlsxRenderer
from campaign.services.units import unit_import, unit_import_template
from core.errors import ApplicationError
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsAdminRole


class UnitImportApi(APIView):
    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    class UnitImportInputSerializer(serializers.Serializer):
        file = serializers.FileField(
            allow_empty_file=True, help_text=".xlsx or .csv: 单位名称, 县区, 行业, 目标人数, 联系人, 联系电话"
        )
        dry_run = serializers.BooleanField(required=False, default=False)

    class UnitImportOutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        dry_run = serializers.BooleanField()
        rows = serializers.ListField(
            child=serializers.DictField(), help_text="row, action (create/update/unchanged), name, region"
        )

    @extend_schema(
        request={"multipart/form-data": UnitImportInputSerializer},
        responses={
            200: UnitImportOutputSerializer,
            400: OpenApiResponse(
                description="{detail, code, errors:[{row, column, message}]}; nothing written"
            ),
        },
        operation_id="organizations_import",
        description="Create or update units (identified by county and name). All or nothing: every bad row is reported.",
    )
    def post(self, request):
        if "file" not in request.FILES:
            raise ApplicationError(
                _("Choose an .xlsx or .csv file to upload (field “file”)."), code="file_required"
            )
        data = self.UnitImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = unit_import(file=upload, filename=upload.name, dry_run=data.validated_data["dry_run"])
        return Response(result.as_dict())


class UnitImportTemplateApi(APIView):
    permission_classes = [IsAdminRole]
    renderer_classes = [JSONRenderer, XlsxRenderer, CsvRenderer]
    content_negotiation_class = FileDownloadNegotiation  # an unknown format is the service's 400, not a 404

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["xlsx", "csv"], description="File type (default xlsx).")
        ],
        responses={(200, XlsxRenderer.media_type): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
        operation_id="organizations_import_template",
    )
    def get(self, request):
        content, content_type, filename = unit_import_template(
            fmt=request.query_params.get("format") or "xlsx"
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
