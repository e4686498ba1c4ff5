"""WSGI entry point for the plain HTTP API and pages (`gunicorn config.wsgi:application`).

WebSockets need the ASGI application (config/asgi.py). BENCHMARKS.md compares serving HTTP with
gunicorn's threads beside ASGI processes for /ws/ against serving everything with ASGI servers.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()
