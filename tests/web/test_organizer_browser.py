"""Issue 15 in a browser: a prefecture organizer on a fresh demo (seed_demo) walks its dashboard and
statistics on a phone and a desk. Every county bar is named, the nav fits, and the screenshots land in
test-artifacts/organizer/ for a human to look at."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Region, User
from quiz.demo import DEMO_COMPETITION_TITLE
from quiz.models import Competition
from tests.support.browser import PHONE, quiet, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {**PHONE, "viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False}


def _log_in(context, site, user) -> None:
    client = Client()
    with quiet(site):
        client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.url,
            }
        ]
    )


def test_prefecture_organizer_dashboard_and_statistics_on_phone_and_desk(browser, live_site):
    with quiet(live_site):
        call_command("seed_demo", stdout=io.StringIO())
        organizer = User.objects.get(username="organizer_prefecture")
        competition = Competition.objects.get(title=DEMO_COMPETITION_TITLE)
        counties = list(
            Region.objects.filter(level="county").order_by("code").values_list("name_zh", flat=True)
        )

    for device, options in (("phone", PHONE), ("desk", DESK)):
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        _log_in(context, live_site, organizer)

        page.goto(live_site + f"/dashboard/competitions/{competition.pk}/")
        expect(page.locator("#lb-rows .lb-row")).to_have_count(8)
        expect(page.locator("#lb-updated")).not_to_have_text("–")
        # The nav's last item (log out) is inside the screen, not scrolled out of it.
        logout = page.locator(".site-nav button.link-button")
        box = logout.bounding_box()
        assert box is not None and box["x"] + box["width"] <= options["viewport"]["width"]
        labels = page.evaluate(
            """() => {
              const chart = echarts.getInstanceByDom(document.getElementById('lb-rates'));
              const axis = chart.getModel().getComponent('yAxis', 0).axis;
              return axis.getViewLabels().map(label => label.rawLabel);
            }"""
        )
        assert sorted(labels) == sorted(counties)
        shoot(page, f"organizer/{device}-dashboard")

        page.goto(live_site + f"/campaign/competitions/{competition.pk}/")
        chart = page.locator('.campaign-chart[data-source="county-data"]')
        expect(chart).to_have_attribute("data-rendered", "true")
        drawn = chart.locator("svg text").all_text_contents()
        # Every county bar is named (a long name may be cut with an ellipsis or wrapped).
        for name in counties:
            assert any(name.startswith(text.rstrip("…").replace("\n", "")[:3]) for text in drawn), name
        assert sum(1 for text in drawn if any(name.startswith(text[:3]) for name in counties)) >= 8
        shoot(page, f"organizer/{device}-statistics")
        assert errors == []
        context.close()
