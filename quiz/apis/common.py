"""What the quiz endpoints share: the documented error body and the paginated-list schema."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR_SCHEMA = inline_serializer(
    "CompetitionErrorResponse",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.DictField(), required=False),
        "extra": serializers.DictField(required=False),
    },
)


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR_SCHEMA, description=description)


def paginated(name: str, serializer: serializers.Serializer):
    """The schema of a page of `serializer` (count, next, previous, results)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer,
        },
    )
