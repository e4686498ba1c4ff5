"""Under DEBUG, `/api/` errors stay JSON.

Without DEBUG, Django answers a path that matches no route, a suspicious request (a body over
DATA_UPLOAD_MAX_MEMORY_SIZE) and a server fault with the handlers of config/urls.py, which answer
JSON under /api/ (core/views.py). With DEBUG it shows its technical pages instead and never calls
those handlers, so a client developed against `make run` would meet HTML where the API promises
`{"detail", "code"}`. The traceback still reaches the console through the `django.request` logger.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from core import views

logger = logging.getLogger("django.request")


class DebugApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and views.is_api(request)
            and response.status_code == 404
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # No route matched (Django's technical 404 page).
            return views.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (settings.DEBUG and views.is_api(request)):
            return None
        if isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return views.permission_denied(request, exception)
        if isinstance(exception, SuspiciousOperation):
            return views.bad_request(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return views.server_error(request)
