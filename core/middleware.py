"""Under DEBUG, `/api/` errors stay JSON; under overload, requests that waited too long are shed.

Without DEBUG, Django answers a path that matches no route, a suspicious request (a body over
DATA_UPLOAD_MAX_MEMORY_SIZE) and a server fault with the handlers of config/urls.py, which answer
JSON under /api/ (core/views.py). With DEBUG it shows its technical pages instead and never calls
those handlers, so a client developed against `make run` would meet HTML where the API promises
`{"detail", "code"}`. The traceback still reaches the console through the `django.request` logger.
"""

import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core import views

logger = logging.getLogger("django.request")
shed_logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


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


# --- shedding requests that waited too long in the queue -----------------------------------------


def _queued_since(request: HttpRequest) -> float | None:
    """When nginx received the request (`X-Request-Start: t=<seconds.millis>`, set by the proxy
    from its own clock and overwriting any client's header), or None without a usable header."""
    raw = request.META.get("HTTP_X_REQUEST_START", "")
    if not raw.startswith("t="):
        return None
    try:
        started = float(raw[2:])
    except ValueError:
        return None
    return started if math.isfinite(started) else None


_shed = {"count": 0, "longest": 0.0, "logged_at": 0.0}
SHED_LOG_EVERY_SECONDS = 10.0


def _note_shed(waited: float) -> None:
    """One log line per SHED_LOG_EVERY_SECONDS, not one per refused request: under overload there
    are thousands a second, and the log must not become the next load."""
    _shed["count"] += 1
    _shed["longest"] = max(_shed["longest"], waited)
    now = time.monotonic()
    if now - _shed["logged_at"] >= SHED_LOG_EVERY_SECONDS:
        shed_logger.warning(
            "Overloaded: %d request(s) answered 503 server_busy since the last report (longest wait %.1f s)",
            _shed["count"],
            _shed["longest"],
        )
        _shed.update(count=0, longest=0.0, logged_at=now)


class QueueTimeLimitMiddleware:
    """Answer 503 `server_busy` (Retry-After) at once to a request that waited in the queue longer
    than REQUEST_QUEUE_LIMIT_SECONDS, before any other work.

    Under more load than the servers carry, requests queue in front of the threads; without a
    limit every one of them is eventually worked through, also those whose phone gave up long ago,
    so the queue never drains and everyone waits 30 s (BENCHMARKS.md, the 60,000-person long run).
    Refusing the stale ones costs microseconds and leaves the threads to requests someone still
    waits for; the quiz page keeps the answer and retries after a pause (web/static/web/quiz.js).
    The health checks are never refused: a busy server is not a dead one.
    """

    EXEMPT = ("/api/v1/health/", "/api/v1/ready/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = float(settings.REQUEST_QUEUE_LIMIT_SECONDS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.limit > 0:
            started = _queued_since(request)
            waited = 0.0 if started is None else time.time() - started
            if waited > self.limit and request.path not in self.EXEMPT:
                return self._busy(request, waited)
        return self.get_response(request)

    def _busy(self, request: HttpRequest, waited: float) -> HttpResponse:
        _note_shed(waited)
        with translation.override(translation.get_language_from_request(request)):
            message = _("The server is busy. Please try again in a few seconds; nothing you entered is lost.")
            if views.is_api(request):
                response: HttpResponse = JsonResponse({"detail": message, "code": "server_busy"}, status=503)
            else:
                # A page read comes back by itself; a form sent must be sent again by its person
                # (reloading would drop what they typed), so they are told to go back.
                again = request.method in ("GET", "HEAD")
                if not again:
                    message = _(
                        "The server is busy. Please go back and send the form again in a few seconds."
                    )
                refresh = f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">' if again else ""
                response = HttpResponse(
                    '<!doctype html><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    f"{refresh}"
                    f'<p style="font: 1.1rem sans-serif; margin: 2rem">{escape(message)}</p>',
                    status=503,
                    content_type="text/html; charset=utf-8",
                )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # Django logs every 5xx on `django.request`, one line each; _note_shed has said it already.
        response._has_been_logged = True
        return response
