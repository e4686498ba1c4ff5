"""Health (for load balancers: answers at once) and readiness (database and Redis answer)."""

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import redis as redis_client


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: inline_serializer("Health", {"status": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


def _redis_ok() -> bool:
    return redis_client.ping()


class ReadyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Ready",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(),
                    "down": serializers.ListField(),
                },
            )
        }
    )
    def get(self, request):
        checks = {"database": _database_ok()}
        if settings.REDIS_URL:
            checks["redis"] = _redis_ok()
        down = [name for name, ok in checks.items() if not ok]
        body = {"status": "ok" if not down else "unavailable", "checks": checks, "down": down}
        return Response(body, status=200 if not down else 503)
