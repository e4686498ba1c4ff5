"""ASGI entry point: uvicorn under `make run`, daphne for `/ws/` in production (docs/deployment.md).

HTTP goes to Django; WebSockets pass the origin check (ALLOWED_HOSTS; a `?token=` script without
an `Origin` header skips it, core/ws_auth.py), then authentication (session cookie or `?token=`),
then the URL router of config/routing.py.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from core.ws_auth import OriginCheckUnlessTokenScript, TokenOrSessionAuthMiddlewareStack  # noqa: E402
from leaderboard.worker import leaderboard_worker_start  # noqa: E402

http_app = django_asgi_app
if settings.DEBUG or os.environ.get("SERVE_STATIC") == "1":
    # Without a front proxy (make run), serve /static/ from the app itself.
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    http_app = ASGIStaticFilesHandler(django_asgi_app)

# Each process records, every few seconds, what another (killed) process or a dead Redis left in
# the leaderboard outbox (docs/leaderboards.md).
leaderboard_worker_start(interval=settings.LEADERBOARD_CATCH_UP_SECONDS)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": OriginCheckUnlessTokenScript(
            TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
