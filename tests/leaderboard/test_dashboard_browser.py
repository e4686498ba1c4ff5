"""The organizer dashboard in Chromium against real daphne, PostgreSQL and Redis: a figure changes
within seconds of a submission made through the API; screenshots at 1366x768 and on a phone."""

import random
import time
from datetime import timedelta

import httpx
import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import AttemptFactory, UserFactory, competition_with_bank
from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH, PHONE, browser, shoot  # noqa: F401
from tests.support.servers import daphne

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def _campaign_so_far(linxia, competition) -> None:
    """A morning of answers across the prefecture, so the charts and ranking have something to show."""
    rng = random.Random(7)
    start = timezone.now() - timedelta(hours=3)
    weights = [9, 4, 3, 6, 2, 5, 7, 1]
    for county, weight in zip(linxia["counties"].values(), weights, strict=True):
        units = list(county.organizations.all())
        for _ in range(weight * 3):
            person = UserFactory(region=county, organization=rng.choice(units))
            for _ in range(rng.randint(1, 2)):
                at = start + timedelta(minutes=rng.randint(0, 170))
                AttemptFactory(user=person, competition=competition, correct=rng.choice([3, 4, 5, 5]), at=at)


def _submit_through_api(base: str, token: str, competition_id: int) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=10) as client:
        started = client.post(f"/api/v1/competitions/{competition_id}/attempts/")
        assert started.status_code == 201, started.text
        attempt = started.json()
        answers = [{"question": q["id"], "selected": ["B"]} for q in attempt["questions"]]
        assert (
            client.post(f"/api/v1/attempts/{attempt['id']}/submit/", json={"answers": answers}).status_code
            == 200
        )


def _kpi(page, name: str) -> str:
    return page.locator(f'[data-kpi="{name}"]').inner_text()


def test_dashboard_shows_a_submission_within_seconds_and_fits_desk_and_phone(
    browser,  # noqa: F811
    linxia,
    settings,
    tmp_path,
):
    # Playwright's sync API runs the test body in a greenlet with its own context, hence its own
    # database connection: close it, or the test database cannot be dropped afterwards.
    try:
        _scenario(browser, linxia, settings, tmp_path)
    finally:
        connections.close_all()


def _scenario(browser, linxia, settings, tmp_path):  # noqa: F811
    settings.LIVE_BROADCAST_INTERVAL_SECONDS = 1.0
    competition = competition_with_bank(questions=5, title="临夏州“安全生产月”知识竞赛")
    _campaign_so_far(linxia, competition)
    newcomer = UserFactory(region=linxia["counties"]["622927"], display_name="新人")
    token = Token.objects.get(user=newcomer).key

    with daphne(log_path=tmp_path / "daphne.log") as server:
        base = server.url
        desk = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        desk.add_cookies([_session_cookie(linxia["admin"], base)])
        page = desk.new_page()
        page.goto(f"{base}/dashboard/competitions/{competition.pk}/")
        page.wait_for_selector('#lb-conn[data-state="live"]', timeout=10_000)
        before = int(_kpi(page, "participants").replace(",", ""))
        jishishan = linxia["counties"]["622927"].pk
        row = page.locator(f'#lb-rows [data-region="{jishishan}"] [data-field="participants"]')
        row_before = int(row.inner_text())

        sent = time.monotonic()
        _submit_through_api(base, token, competition.pk)
        page.wait_for_function(
            "n => document.querySelector('[data-kpi=\"participants\"]').textContent.replace(/,/g, '') == String(n)",
            arg=before + 1,
            timeout=5_000,
        )
        lag = time.monotonic() - sent
        assert int(row.inner_text()) == row_before + 1
        page.wait_for_timeout(1200)  # let the flash and the re-sort settle
        shoot(page, "dashboard-desk-1366x768", full_page=False)
        shoot(page, "dashboard-desk-1366x768-full")
        # The whole dashboard fits the width: nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366

        phone = browser.new_context(**PHONE)
        phone.add_cookies(
            [
                _session_cookie(linxia["organizer"], base),
                {"name": "django_language", "value": "en", "url": base},
            ]
        )
        mobile = phone.new_page()
        mobile.goto(f"{base}/dashboard/competitions/{competition.pk}/")
        mobile.wait_for_selector('#lb-conn[data-state="live"]', timeout=10_000)
        assert mobile.locator("#lb-rows .lb-row").count() == 1  # the organizer's own county only
        assert "Linxia City" in mobile.locator("#lb-rows").inner_text()
        mobile.wait_for_timeout(800)
        shoot(mobile, "dashboard-phone-390x844-organizer-en")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390

        admin_phone = browser.new_context(**PHONE)
        admin_phone.add_cookies([_session_cookie(linxia["admin"], base)])
        admin_page = admin_phone.new_page()
        admin_page.goto(f"{base}/dashboard/competitions/{competition.pk}/")
        admin_page.wait_for_selector('#lb-conn[data-state="live"]', timeout=10_000)
        admin_page.wait_for_timeout(800)
        shoot(admin_page, "dashboard-phone-390x844-admin-zh")
        assert admin_page.evaluate("document.documentElement.scrollWidth") <= 390
        for context in (desk, phone, admin_phone):
            context.close()
    assert lag < 5.0
    print(f"dashboard showed the submission after {lag:.2f} s")
