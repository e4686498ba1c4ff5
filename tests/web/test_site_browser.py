"""Issue 15 in a browser, the whole product at once: every main page, as the user it is for, loads
nothing from another host (a machine without internet must get whole pages: /api/docs/ used to
fetch Swagger UI from a CDN), and on a phone the ranking headers and a duration stay on one line."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import User
from quiz.demo import DEMO_COMPETITION_TITLE
from quiz.models import Attempt, Competition
from tests.factories import AttemptFactory, UserFactory
from tests.support.browser import PHONE, OffsiteRequests, log_in, quiet, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(page, url: str, ready: str) -> None:
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()


def test_main_pages_load_nothing_from_another_host(browser, live_site):
    with quiet(live_site):
        call_command("seed_demo", stdout=io.StringIO())
        competition = Competition.objects.get(title=DEMO_COMPETITION_TITLE)
        participant = User.objects.get(username="zhangsan")
        attempt = AttemptFactory(user=participant, competition=competition, correct=6, hook=False)
        organizer = User.objects.get(username="organizer_prefecture")
        admin = User.objects.get(username="admin")
    c = f"/competitions/{competition.pk}"
    campaign = f"/campaign/competitions/{competition.pk}"
    visits = {
        None: [
            ("/", "main"),
            ("/accounts/login/", "form"),
            ("/accounts/register/", "#register-form"),
            ("/api/docs/", "#swagger-ui .information-container"),
        ],
        participant: [
            ("/", "main"),
            (f"{c}/", "main h1"),
            (f"{c}/answer/", ".question, [data-testid=question], main h2"),
            (f"{c}/leaderboard/?scope=individual", "[data-testid=leaderboard]"),
            (f"{c}/leaderboard/?scope=region", "[data-testid=leaderboard]"),
            (f"{c}/leaderboard/?scope=organization", "[data-testid=leaderboard]"),
            (f"/attempts/{attempt.pk}/", "main h1"),
            (f"/attempts/{attempt.pk}/certificate/", "main img"),
            ("/me/attempts/", "main"),
            ("/me/wrong-answers/", "main"),
            ("/me/progress/", "main"),
        ],
        organizer: [
            ("/dashboard/", "main"),
            (f"/dashboard/competitions/{competition.pk}/", "#lb-rows .lb-row"),
            ("/campaign/", "main"),
            (f"{campaign}/", '.campaign-chart[data-rendered="true"]'),
            (f"{campaign}/lagging/", "main table"),
            (f"{campaign}/bulletins/", "main"),
            (f"{campaign}/items/", "main table"),
            (f"{campaign}/briefing/", "main"),
        ],
        admin: [("/admin/", "#content-main")],
    }

    for user, pages in visits.items():
        context = browser.new_context(**PHONE)
        context.set_default_timeout(20_000)
        requests = OffsiteRequests(context, live_site)
        if user is not None:
            log_in(context, live_site, user)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for path, ready in pages:
            _visit(page, live_site + path, ready)
            page.wait_for_load_state("load")
        if user is None:
            # Before a county is chosen, the unit box asks for one (it said there were no units).
            page.goto(live_site + "/accounts/register/")
            expect(page.locator("#id_organization option").first).to_have_text("请先选择县市")
        context.close()

        assert requests.offsite == [], (user, requests.offsite)
        assert errors == [], (user, errors)
        assert len(requests.urls) > len(pages)  # the recorder saw the pages and their assets


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_phone_ranking_headers_and_durations_stay_on_one_line(
    browser, live_site, competition, linxia, language
):
    with quiet(live_site):
        unit = linxia["linxia_city"].organizations.order_by("id").first()
        unit.name = "临夏州临夏市城市综合执法与应急管理安全生产监督检查大队第三中队"
        unit.save()
        user = UserFactory(
            region=linxia["linxia_city"], organization=unit, display_name="欧阳明远（临夏市应急管理局）"
        )
        attempt = AttemptFactory(user=user, competition=competition, correct=4, hook=False)
        Attempt.objects.filter(pk=attempt.pk).update(duration_seconds=94)
    context = browser.new_context(**{**PHONE, "locale": "zh-CN" if language == "zh-hans" else "en-GB"})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_site.url}])
    log_in(context, live_site, user)
    page = context.new_page()
    # How many lines an element's text takes: the line boxes of a range over it.
    lines = "el => { const r = document.createRange(); r.selectNodeContents(el); return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }"

    for scope in ("individual", "region", "organization"):
        page.goto(live_site + f"/competitions/{competition.pk}/leaderboard/?scope={scope}")
        headers = page.locator("[data-testid=leaderboard] thead th")
        expect(headers).to_have_count(4)
        for index in range(4):
            header = headers.nth(index)
            assert header.evaluate(lines) == 1, (scope, header.inner_text())
        heights = {round(headers.nth(index).bounding_box()["height"]) for index in range(4)}
        assert len(heights) == 1 and max(heights) < 50, heights
        shoot(page, f"web/phone-leaderboard-{scope}-{language}")

    page.goto(live_site + f"/attempts/{attempt.pk}/")
    with translation.override(language):
        expected = "1分34秒" if language == "zh-hans" else "1\u00a0min\u00a034\u00a0s"
    duration = page.locator(".stat dd", has_text="34")
    expect(duration).to_have_text(expected)
    assert duration.evaluate(lines) == 1
    context.close()
