"""WSGI entry point for the plain HTTP API and pages (`gunicorn config.wsgi:application`).

WebSockets need the ASGI application (config/asgi.py). BENCHMARKS.md compares serving HTTP with
gunicorn's threads beside ASGI processes for /ws/ against serving everything with ASGI servers.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from leaderboard.worker import leaderboard_worker_start  # noqa: E402

# As in config/asgi.py: every server process, gunicorn's included, records every few seconds what
# a killed process or a dead Redis left in the leaderboard outbox (docs/leaderboards.md).
leaderboard_worker_start(interval=settings.LEADERBOARD_CATCH_UP_SECONDS)
