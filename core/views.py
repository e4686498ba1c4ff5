"""Plain Django views of the core app.

`bench_baseline` is the benchmark's floor (BENCHMARKS.md, "H"): the cheapest JSON answer Django
gives through the full middleware stack and the same server processes, with no DRF, no
authentication, no database and no Redis. Every other endpoint is measured as a ratio to it.
`/api/v1/health/` is not used for that because it goes through DRF's APIView (content
negotiation, renderer, permission and throttle checks): it is measured beside it instead.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET


@require_GET
def bench_baseline(request: HttpRequest) -> JsonResponse:
    """A tiny constant JSON body; touches neither the database nor Redis."""
    return JsonResponse({"status": "ok"})


# --- error pages: JSON under /api/, the usual pages elsewhere --------------------------------
# The API promises `{"detail", "code"}` on every error (docs/api.md). A URL that matches no
# route (a path id that is not a number), a request body over DATA_UPLOAD_MAX_MEMORY_SIZE or a
# fault below DRF never reaches DRF's exception handler; Django answers it with these views.


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            body = {
                "detail": _("The request is larger than the server accepts (%(size)s at most).")
                % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
                "code": "request_too_large",
            }
        else:
            body = {"detail": _("Bad request."), "code": "bad_request"}
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to do this."), "code": "permission_denied"}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"detail": _("A server error occurred. Please try again."), "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
