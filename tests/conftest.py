"""Shared fixtures and the two optional tiers: real services and a real browser.

- `@pytest.mark.services`: needs DATABASE_URL (PostgreSQL) and REDIS_URL. Skipped without them;
  under CI (CI set) it fails instead, so a missing service can never pass silently, except in
  the run that CI declares embedded-only with TEST_TIER=embedded (.ci/run's first pass).
- `@pytest.mark.browser`: drives Debian's Chromium (/usr/bin/chromium). Same skip/fail rule.
"""

import os
import shutil

import pytest
from rest_framework.test import APIClient

from accounts.demo import seed_accounts_data
from accounts.models import Organization, Region, User
from tests.factories import UserFactory
from tests.support.clients import client_for

IN_CI = bool(os.environ.get("CI"))
# .ci/run runs the suite twice; the first pass is the embedded default on purpose.
EMBEDDED_ONLY = os.environ.get("TEST_TIER") == "embedded"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _services_missing() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL (PostgreSQL) is not set"
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set"
    return None


def pytest_collection_modifyitems(config, items):
    services_reason = _services_missing()
    for item in items:
        if "services" in item.keywords and services_reason:
            if IN_CI and not EMBEDDED_ONLY:
                item.user_properties.append(("services_missing", services_reason))
            else:
                item.add_marker(pytest.mark.skip(reason=f"services tier: {services_reason}"))
        if "browser" in item.keywords and not CHROMIUM and not IN_CI:
            item.add_marker(pytest.mark.skip(reason="browser tier: Debian's chromium is not installed"))


@pytest.fixture(autouse=True)
def _fail_when_tier_missing_in_ci(request):
    """Under CI a services or browser test whose tier is missing fails loudly instead of skipping."""
    for name, value in request.node.user_properties:
        if name == "services_missing":
            pytest.fail(f"CI is set but the services tier is missing: {value}")
    if "browser" in request.node.keywords and not CHROMIUM:
        pytest.fail("CI is set but /usr/bin/chromium is missing (install Debian's chromium package)")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles and cached figures must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language. A test-client request with
    Accept-Language: en leaves English active on the thread (LocaleMiddleware activates per
    request and never resets, as a server does not need to), and code called directly by the
    next test would then speak English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def linxia(db) -> dict:
    """The demo prefecture: regions, industries, units and demo accounts, through seed_demo's own code."""
    seed_accounts_data()
    counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
    return {
        "prefecture": Region.objects.get(code="622900"),
        "counties": counties,
        "linxia_city": counties["622901"],
        "dongxiang": counties["622926"],
        "units": {o.name: o for o in Organization.objects.all()},
        "admin": User.objects.get(username="admin"),
        "organizer": User.objects.get(username="organizer_linxia"),
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client():
    return client_for


@pytest.fixture
def participant(linxia) -> User:
    return UserFactory(region=linxia["linxia_city"], organization=linxia["linxia_city"].organizations.first())
