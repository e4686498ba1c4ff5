from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import apis as core_apis
from core import views as core_views

# Django tries routes in order, and each include that misses costs a raised Resolver404: the
# answer path (quiz) and the rankings come first. No two routes here overlap, so order is free.
api_v1 = [
    path("", include("quiz.urls")),
    path("", include("leaderboard.urls")),
    path("health/", core_apis.HealthApi.as_view(), name="health"),
    path("ready/", core_apis.ReadyApi.as_view(), name="ready"),
    path("", include("accounts.urls")),
    path("", include("campaign.urls")),
]

if settings.BENCH_ROUTES:
    # The benchmark's floor (bench/, docs/benchmarks.md): bare Django, no DRF, no database.
    api_v1.append(path("bench/baseline/", core_views.bench_baseline, name="bench-baseline"))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", include("leaderboard.page_urls")),
    path("campaign/", include("campaign.page_urls")),
    path("draws/", include("campaign.public_urls")),
    path("", include("web.urls")),
]

# JSON errors under /api/ (a path that matches no route, a body over the size limit), pages elsewhere.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
