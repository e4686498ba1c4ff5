"""The organizer pages in a real browser: charts drawn by ECharts, a reminder reaching a member's home page."""

import io
import zipfile

import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from campaign.models import Notice
from tests.support.browser import quiet, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, site, user) -> None:
    client = Client()
    with quiet(site):
        client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.url,
            }
        ]
    )


def test_organizer_sees_charts_reminds_a_unit_and_its_member_sees_the_notice(
    browser, phone, live_site, campaign
):
    desktop = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    desktop.set_default_timeout(15_000)
    page = desktop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_site, campaign.organizer_a)

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/")
    trend = page.locator('.campaign-chart[data-chart="trend"]')
    expect(trend).to_have_attribute("data-rendered", "true")
    expect(trend.locator("svg")).to_have_count(1)
    expect(page.locator('[data-kpi="rate"]')).to_have_text("15.0%")
    expect(page.locator("#unit-table")).not_to_contain_text("B School")
    shoot(page, "campaign/01-statistics")

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/lagging/?threshold=30")
    rows = page.locator("#lagging-table tbody tr")
    expect(rows).to_have_count(2)  # A Office 0%, A Site 20%
    page.locator("#lagging-table").get_by_label("A Office").uncheck()
    page.locator("textarea[name=message]").fill("请本周内组织职工参加答题")
    page.locator("input[name=threshold]").last.fill("40")
    page.get_by_role("button", name="发送提醒").click()
    expect(page.locator(".message--success")).to_contain_text("1")
    expect(page.locator("#history-table")).to_contain_text("A Site")
    shoot(page, "campaign/02-lagging-and-history")
    with quiet(live_site):
        assert list(Notice.objects.values_list("organization__name", flat=True)) == ["A Site"]

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/items/")
    for source in ("category-data", "learning-data"):  # correct rate; share of wrong answers mastered
        chart = page.locator(f'.campaign-chart[data-chart="rates"][data-source="{source}"]')
        expect(chart).to_have_attribute("data-rendered", "true")
    shoot(page, "campaign/03-item-analysis")
    assert errors == []
    desktop.close()

    log_in(phone, live_site, campaign.people.u3)
    phone.goto(live_site + "/")
    notice = phone.locator(".campaign-notice")
    expect(notice).to_contain_text("请本周内组织职工参加答题")
    expect(notice).to_contain_text("A Site")
    shoot(phone, "campaign/04-home-notice")


def test_organizer_copies_the_briefing_and_downloads_posters_on_a_phone(phone, live_site, campaign):
    page = phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_site.url)
    log_in(page, live_site, campaign.organizer_a)

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/briefing/")
    page.get_by_role("button", name="复制文字").click()
    expect(page.locator("#copy-status")).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("【通报】Safety Month quiz\n")
    assert "参与率低于60%的单位：" in copied
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "campaign/05-briefing-phone")
    with page.expect_download() as download:
        page.locator("#briefing-png").click()
    poster = Image.open(download.value.path())
    assert poster.format == "PNG" and poster.width == 1080

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/invites/")
    expect(page.locator("#invite-table tbody tr")).to_have_count(3)
    with page.expect_download() as download:
        page.locator(f'[data-poster="{campaign.units.a_site.pk}"]').click()
    decoded = zxingcpp.read_barcodes(Image.open(download.value.path()))
    assert decoded[0].text.startswith(live_site.url + "/r/")
    with page.expect_download() as download:
        page.locator("#posters-zip").click()
    with open(download.value.path(), "rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len(names) == 3
    shoot(page, "campaign/06-invites-phone")
    assert errors == []


def test_admin_makes_a_draw_on_the_screen_and_a_participant_verifies_it_on_a_phone(
    browser, phone, live_site, campaign
):
    from campaign.models import Draw

    campaign.people.u1.display_name = "张三丰"
    campaign.people.u1.save()
    admin = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    admin.set_default_timeout(15_000)
    page = admin.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_site, campaign.admin)

    page.goto(live_site + f"/campaign/competitions/{campaign.competition.pk}/draws/")
    form = page.locator("#draw-form")
    form.get_by_label("标题").fill("安全生产月幸运抽奖")
    form.get_by_label("种子").fill("2026-06-30 福彩3D 518")
    form.locator("input[name=prize_name]").nth(0).fill("一等奖")
    form.locator("input[name=prize_count]").nth(0).fill("1")
    form.locator("input[name=prize_name]").nth(1).fill("二等奖")
    form.locator("input[name=prize_count]").nth(1).fill("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "campaign/07-draw-form-phone")
    page.get_by_role("button", name="开始抽奖").click()
    expect(page.locator("h1")).to_have_text("安全生产月幸运抽奖")
    expect(page.locator("#draw-export")).to_be_visible()
    with quiet(live_site):
        draw = Draw.objects.get()
    assert page.url == live_site + f"/draws/{draw.pk}/"
    assert [w["prize"] for w in draw.winners] == ["一等奖", "二等奖", "二等奖", "二等奖", "二等奖"]
    admin.close()

    log_in(phone, live_site, campaign.people.u2)
    phone.goto(live_site + f"/competitions/{campaign.competition.pk}/")
    phone.get_by_role("link", name="安全生产月幸运抽奖").click()
    winners = phone.locator("#winner-table tbody tr")
    expect(winners).to_have_count(5)
    expect(phone.locator("#winner-table")).to_contain_text("张*丰")
    expect(phone.locator("#winner-table")).not_to_contain_text("张三丰")
    expect(phone.locator("#draw-digest")).to_have_text(draw.eligible_digest)
    expect(phone.locator("#draw-export")).to_have_count(0)
    phone.locator("#draw-verify").click()
    result = phone.locator("#verify-result")
    expect(result).to_have_attribute("data-matches", "true")
    expect(result).to_contain_text("一致：用冻结的名单和种子重新计算，得到的正是公布的中奖者。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "campaign/08-draw-public-phone")
    assert errors == []
