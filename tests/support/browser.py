"""Shared browser-test helpers: Debian's headless Chromium through Playwright, a live server, screenshots.

Import the fixtures into a conftest (`from tests.support.browser import browser, phone, live_site  # noqa: F401`).

- `live_site`: the project served over HTTP in a thread of the test process, against the test
  database (needs `@pytest.mark.django_db(transaction=True)`). With SQLite's in-memory test
  database the server shares the test's connection, so requests are serialized by a lock (a
  browser fires several at once, and one SQLite connection must not run two at a time); take
  `live_site.db_lock` around ORM calls made while the page may still be talking to the server.
  Settings changed in a test (e.g. ATTEMPT_GRACE_SECONDS) apply to the server too.
- `browser`: Chromium launched with the flags the CI machine needs, one per test: Playwright's sync
  API keeps an event loop running in the test thread while it lives, which would break the async
  and ORM tests that follow if it outlived the test.
- `phone`: a fresh context and page with a phone's viewport (390x844, touch, zh-CN).
- `shoot(page, name)`: a full-page screenshot in test-artifacts/ (gitignored), kept for humans.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shoot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as test-artifacts/<name>.png and return its path."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if full_page:  # from the top, so that a sticky header is drawn where it belongs
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page)
    return path


class LiveSite:
    """The project's WSGI app served from a thread, like Django's LiveServerTestCase."""

    def __init__(self) -> None:
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.servers.basehttp import ThreadedWSGIServer
        from django.db import connections
        from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

        shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self.db_lock = threading.RLock() if shared else _NoLock()
        lock = self.db_lock

        active = self.active_requests = {}

        class LockedServer(ThreadedWSGIServer):
            def process_request_thread(self, request, client_address):
                active[threading.current_thread()] = request
                try:
                    super().process_request_thread(request, client_address)
                finally:
                    active.pop(threading.current_thread(), None)

            def set_app(self, application):
                def locked(environ, start_response):
                    with lock:
                        result = application(environ, start_response)
                        try:
                            chunks = list(result)
                        finally:
                            close = getattr(result, "close", None)
                            if close is not None:
                                close()
                    return chunks

                super().set_app(locked)

        class Thread(LiveServerThread):
            server_class = LockedServer

            def _create_server(self, connections_override=None):
                return self.server_class(
                    (self.host, self.port),
                    QuietWSGIRequestHandler,
                    allow_reuse_address=False,
                    connections_override=connections_override,
                )

        self.thread = Thread(
            "127.0.0.1", static_handler=StaticFilesHandler, connections_override=shared, port=0
        )
        self.thread.daemon = True

    def start(self) -> LiveSite:
        for conn in self.thread.connections_override.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            self.stop()
            raise self.thread.error
        return self

    def stop(self) -> None:
        self.thread.terminate()
        # A browser's keep-alive connections hold request threads that use the shared database
        # connection when they end: end them before it stops being shareable.
        for request_thread, sock in list(self.active_requests.items()):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            request_thread.join(timeout=5)
        for conn in self.thread.connections_override.values():
            conn.dec_thread_sharing()

    @property
    def url(self) -> str:
        return f"http://{self.thread.host}:{self.thread.port}"

    def __add__(self, path: str) -> str:
        return self.url + path


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


@pytest.fixture
def live_site(transactional_db) -> Iterator[LiveSite]:
    site = LiveSite().start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; the ORM calls the test
    # makes between page actions are plain synchronous calls all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While Playwright runs, the test thread sees another context, where Django would open a
    # second database connection (an in-memory SQLite test database would then be shared by two
    # connections, and PostgreSQL could not drop the test database at the end): keep the test's own.
    own = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in own.items():
                connections[alias] = connection
            chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def log_in(context, site: LiveSite, user) -> None:
    """Give a browser context the session cookie of `user` (no log-in form, no throttle)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    with quiet(site):
        client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site.url}])


class OffsiteRequests:
    """Every request a browser context makes to a host other than the test server, refused and kept.

    Installed with `OffsiteRequests(context, site)`: `route` refuses them (a page must not wait for
    a CDN that a machine without internet never answers) and `request` records every URL,
    WebSockets included."""

    def __init__(self, context, site: LiveSite) -> None:
        from urllib.parse import urlsplit

        self.origin = urlsplit(site.url).netloc
        self.urls: list[str] = []
        self.offsite: list[str] = []

        def seen(url: str) -> None:
            self.urls.append(url)
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                return
            if parts.netloc != self.origin:
                self.offsite.append(url)

        def route(route) -> None:
            if urlsplit(route.request.url).netloc == self.origin or route.request.url.startswith(
                ("data:", "blob:")
            ):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", route)
        context.on("request", lambda request: seen(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: seen(ws.url)))


@contextmanager
def quiet(site: LiveSite):
    """Hold the server's database lock (see LiveSite) for ORM work in the test thread."""
    with site.db_lock:
        yield
