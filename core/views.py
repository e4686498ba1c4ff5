"""Plain Django views of the core app.

`bench_baseline` is the benchmark's floor (BENCHMARKS.md, "H"): the cheapest JSON answer Django
gives through the full middleware stack and the same server processes, with no DRF, no
authentication, no database and no Redis. Every other endpoint is measured as a ratio to it.
`/api/v1/health/` is not used for that because it goes through DRF's APIView (content
negotiation, renderer, permission and throttle checks): it is measured beside it instead.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def bench_baseline(request: HttpRequest) -> JsonResponse:
    """A tiny constant JSON body; touches neither the database nor Redis."""
    return JsonResponse({"status": "ok"})
