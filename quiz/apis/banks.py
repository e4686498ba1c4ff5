"""Question-bank endpoints of docs/api.md (admin only): list, create, import, export, template."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsAdminRole
from quiz.selectors.banks import bank_get, bank_list
from quiz.services.bank_export import ExportedFile, bank_export, bank_import_template
from quiz.services.banks import bank_create, bank_import


class BankOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    question_count = serializers.IntegerField()
    active_count = serializers.IntegerField()


class BankListApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses={200: BankOutputSerializer(many=True)}, operation_id="banks_list")
    def get(self, request):
        return Response(BankOutputSerializer(bank_list(), many=True).data)


class BankCreateApi(APIView):
    permission_classes = [IsAdminRole]

    class BankCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=["zh-hans", "en"], required=False, default="zh-hans")

    @extend_schema(
        request=BankCreateInputSerializer, responses={201: BankOutputSerializer}, operation_id="banks_create"
    )
    def post(self, request):
        data = self.BankCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bank = bank_create(**data.validated_data)
        return Response(BankOutputSerializer(bank_get(bank_id=bank.pk)).data, status=status.HTTP_201_CREATED)


class BankCollectionApi(BankListApi, BankCreateApi):
    """GET and POST on /banks/: the list and the create operation above, on one path."""


class BankImportApi(APIView):
    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    class BankImportInputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True, help_text=".xlsx or .csv in the import format")
        dry_run = serializers.BooleanField(required=False, default=False)
        skip_invalid = serializers.BooleanField(required=False, default=False)

    class BankImportOutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        dry_run = serializers.BooleanField()
        warnings = serializers.ListField(child=serializers.DictField())
        skipped = serializers.ListField(child=serializers.DictField())
        rows = serializers.ListField(
            child=serializers.DictField(), required=False, help_text="dry run only: row, action, type, stem"
        )

    @extend_schema(
        request={"multipart/form-data": BankImportInputSerializer},
        responses={
            200: BankImportOutputSerializer,
            400: OpenApiResponse(
                description="{detail, code, errors:[{row, column, message}]}; nothing written"
            ),
        },
        operation_id="banks_import",
    )
    def post(self, request, bank_id: int):
        bank = bank_get(bank_id=bank_id)
        if "file" not in request.FILES:
            raise ApplicationError(
                _("Choose an .xlsx or .csv file to upload (field “file”)."), code="file_required"
            )
        data = self.BankImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = bank_import(
            bank=bank,
            file=upload,
            filename=upload.name,
            dry_run=data.validated_data["dry_run"],
            skip_invalid=data.validated_data["skip_invalid"],
        )
        body = result.as_dict()
        if result.dry_run:
            body["rows"] = [
                {
                    "row": item.row,
                    "action": item.action,
                    "type": item.question.type,
                    "stem": item.question.stem,
                }
                for item in result.items
            ]
        return Response(body)


def _file_response(exported: ExportedFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exported.filename
    )
    response["Cache-Control"] = "no-store"
    return response


_FORMAT_PARAMETER = OpenApiParameter("format", str, enum=["xlsx", "csv"], default="xlsx")
# The media types actually sent (quiz.services.bank_export.CONTENT_TYPES), so clients and the
# schema fuzz test can check them.
_FILE_RESPONSES = {
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.STR,
}


class BankExportApi(APIView):
    permission_classes = [IsAdminRole]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(
        parameters=[_FORMAT_PARAMETER],
        responses=_FILE_RESPONSES,
        operation_id="banks_export",
    )
    def get(self, request, bank_id: int):
        bank = bank_get(bank_id=bank_id)
        return _file_response(bank_export(bank=bank, fmt=request.query_params.get("format", "xlsx")))


class BankImportTemplateApi(APIView):
    permission_classes = [IsAdminRole]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(
        parameters=[_FORMAT_PARAMETER],
        responses=_FILE_RESPONSES,
        operation_id="banks_import_template",
    )
    def get(self, request):
        return _file_response(bank_import_template(fmt=request.query_params.get("format", "xlsx")))


# Included by quiz/urls.py under the namespace "v1:quiz".
