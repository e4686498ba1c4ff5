"""The one handler that shapes every API error; the domain error types live in core/exceptions.py.

An ApplicationError answers with the HTTP status its code maps to (core.exceptions.CODE_STATUS).

Every 4xx answers `{"detail": <readable text>, "code": <machine code>}` plus `"errors": [...]`
for field or row problems (see docs/api.md). Consumers send the same shape with
`"type": "error"`.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import ApplicationError, NotFound

# Re-exported: `from core.errors import ApplicationError` keeps working.
__all__ = ["ApplicationError", "NotFound", "api_exception_handler", "flatten_validation_errors"]

logger = logging.getLogger(__name__)


def flatten_validation_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dict/list into `[{"field", "message", "code"}]`."""
    items: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            items.extend(flatten_validation_errors(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                items.extend(flatten_validation_errors(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                items.append(_error_item(prefix, value))
    else:
        items.append(_error_item(prefix, detail))
    return items


def _error_item(field: str, value: Any) -> dict[str, str]:
    code = getattr(value, "code", "invalid") or "invalid"
    return {"field": field or "non_field_errors", "message": str(value), "code": str(code)}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code, headers=exc.headers)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database connection broke (restart, failover, a killed session). The transaction was
        # rolled back by PostgreSQL, so nothing was half-written: tell the client to retry.
        logger.warning(
            "Database unavailable during %s: %s", context.get("request") and context["request"].path, exc
        )
        return Response(
            {
                "detail": _("The service is briefly unavailable. Please try again."),
                "code": "service_unavailable",
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_validation_errors(exc.detail)
        summary = "; ".join(
            e["message"] if e["field"] == "non_field_errors" else f"{e['field']}: {e['message']}"
            for e in errors
        )
        response.data = {
            "detail": summary or _("Invalid input."),
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = {"detail": str(detail), "code": code}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response.data["retry_after"] = int(exc.wait)  # DRF rounded it up; the same as Retry-After
    return response
