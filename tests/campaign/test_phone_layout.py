"""Every campaign page fits a phone (390x844) for the prefecture organizer on the seeded demo: no
sideways scrolling, no table wider than the screen, no column squeezed to one character per line.
Screenshots of each page land in test-artifacts/campaign/phone-*.png."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Region, User
from campaign.models import Bulletin
from campaign.selectors import lagging_units
from campaign.services import bulletin_issue, reminder_issue
from quiz.models import Competition
from tests.campaign.test_browser import log_in
from tests.support.browser import quiet, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tables the page put in a sideways-scrolling box on purpose would be listed here; there are none.
# A cell whose text takes a line per one or two characters is a squeezed column (临/夏/州 ...);
# the header of a stacked table is there for screen readers only (1 px, clipped) on a phone.
MEASURE = r"""() => {
  const width = window.innerWidth;
  const tables = [...document.querySelectorAll("table")].filter(t => t.offsetParent !== null);
  const wide = tables.filter(t => t.getBoundingClientRect().right > width + 0.5 || t.getBoundingClientRect().left < -0.5)
    .map(t => t.id || t.className);
  const squeezed = [...document.querySelectorAll("td, th")]
    .filter(c => c.offsetParent !== null && !c.closest("thead.visually-hidden, .table--stack thead"))
    .filter(c => {
      const text = c.innerText.replace(/\s+/g, "");
      const range = document.createRange();
      range.selectNodeContents(c);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
      return text.length >= 3 && lines >= 3 && lines * 2 >= text.length;
    })
    .map(c => c.innerText.trim().slice(0, 20));
  return {scrollWidth: document.documentElement.scrollWidth, tables: tables.length, wide, squeezed};
}"""


def _seeded() -> tuple[Competition, User, Bulletin]:
    call_command("seed_demo", stdout=io.StringIO())
    organizer = User.objects.get(username="organizer_prefecture")
    competition = Competition.objects.filter(attempts__isnull=False).distinct().get()
    # Something in every list: a bulletin, and two reminders to the same lagging units (supervision).
    behind = [
        row["id"]
        for row in lagging_units(
            competition=competition, scope=organizer.scope_region, threshold=Decimal("0.6")
        )
    ][:3]
    for _ in range(2):
        reminder_issue(
            competition=competition, issued_by=organizer, organization_ids=behind, threshold=Decimal("0.6")
        )
    bulletin = bulletin_issue(competition=competition, issued_by=organizer, scope=organizer.scope_region)
    return competition, organizer, bulletin


def test_every_campaign_page_fits_a_phone_for_the_prefecture_organizer(phone, live_site):
    with quiet(live_site):
        competition, organizer, bulletin = _seeded()
        assert Region.objects.filter(level="county").count() == 8
    log_in(phone, live_site, organizer)
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    base = f"/campaign/competitions/{competition.pk}"
    pages = {
        "index": "/campaign/",
        "statistics": f"{base}/",
        "lagging": f"{base}/lagging/",
        "bulletins": f"{base}/bulletins/",
        "bulletin": f"/campaign/bulletins/{bulletin.pk}/",
        "items": f"{base}/items/",
        "briefing": f"{base}/briefing/",
        "invites": f"{base}/invites/",
        "draws": f"{base}/draws/",
    }

    found = {}
    for name, path in pages.items():
        response = phone.goto(live_site + path)
        assert response.status == 200, (name, response.status)
        if name in ("statistics", "items"):
            phone.locator('.campaign-chart[data-rendered="true"]').first.wait_for()
        found[name] = phone.evaluate(MEASURE)
        shoot(phone, f"campaign/phone-{name}")

    for name, figures in found.items():
        assert figures["tables"] > 0, name
        assert figures["scrollWidth"] <= 390, (name, figures)
        assert figures["wide"] == [], (name, figures)
        assert figures["squeezed"] == [], (name, figures)
    assert errors == []


def test_statistics_page_writes_numbers_and_rates_one_way(phone, live_site):
    with quiet(live_site):
        competition, organizer, _bulletin = _seeded()
    log_in(phone, live_site, organizer)

    phone.goto(live_site + f"/campaign/competitions/{competition.pk}/")
    phone.locator('.campaign-chart[data-chart="rates"][data-rendered="true"]').wait_for()
    points = phone.locator('[data-kpi="points"]').inner_text()
    # The county chart's bar labels, through the chart's own formatter.
    labels = phone.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('.campaign-chart[data-chart="rates"]'));
          const series = chart.getOption().series[0];
          return series.data.map(value => series.label.formatter({value}));
        }"""
    )

    extra = phone.locator("#unit-table tbody tr").first.locator(".stack-extra").first
    assert not extra.is_visible()  # attempts, points and scores fold away on a phone ...
    toggle = phone.locator('label[for="unit-table-more"]')
    assert toggle.inner_text() == "显示全部数据"
    toggle.click()
    assert extra.is_visible()  # ... until asked for

    assert "," in points  # the demo's thousands of points, grouped as on the dashboard
    assert len(labels) == 8
    assert all(re.fullmatch(r"\d+\.\d%", label) for label in labels), labels
