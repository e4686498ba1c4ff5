"""The daily briefing and the supervision list, on the hand-computed fixture campaign (conftest.py).

The briefing is taken at 09:00 today, so "24 hours before" is 09:00 yesterday: a4 (u3, A Site) and
a6 (u5, B School), submitted yesterday at 10:00, are the day's change.
  now:    A 3/20 = 15.0 %, B 2/5 = 40.0 %, all 5/25 = 20.0 %, 6 attempts
  before: A 2/20 = 10.0 %, B 1/5 = 20.0 %, all 3/25 = 12.0 %, 4 attempts
  units of A now: A School 2/4 50 %, A Site 1/5 20 %, A Office 0/11 0 % (places 1, 2, 3);
  before: A School 50 % (1), A Site and A Office 0 % (2, 2).
  below 60 %: A Office, A Site, A School (A, lowest first), B Depot 0/3.
"""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from campaign.selectors import briefing_build, briefing_text, supervision_list
from campaign.selectors.statistics import competition_statistics
from campaign.services import reminder_issue
from core import fonts
from tests.campaign.helpers import local_moment, make_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def nine(campaign):
    return local_moment(campaign.days[3], 9)


def test_briefing_figures_are_the_statistics_selectors_at_the_same_moment(campaign, nine):
    briefing = briefing_build(competition=campaign.competition, scope=None, now=nine)
    stats = competition_statistics(competition=campaign.competition, scope=None, by="county", as_of=nine)

    assert briefing["totals"] == {
        "participants": 5,
        "headcount_target": 25,
        "participation_rate": 0.2,
        "attempts": 6,
        "units": 5,
        "change": {"participants": 2, "participation_rate": 0.08, "attempts": 2},
    }
    for key in ("participants", "headcount_target", "participation_rate", "attempts", "units"):
        assert briefing["totals"][key] == stats["totals"][key]
    assert [
        (r["name"], r["participants"], r["participation_rate"], r["place"]) for r in briefing["rows"]
    ] == [
        ("乙县", 2, 0.4, 1),
        ("甲县", 3, 0.15, 2),
    ]
    by_id = {row["id"]: row for row in stats["rows"]}
    for row in briefing["rows"]:
        assert (row["participants"], row["headcount_target"], row["participation_rate"]) == (
            by_id[row["id"]]["participants"],
            by_id[row["id"]]["headcount_target"],
            by_id[row["id"]]["participation_rate"],
        )
    assert [row["change"] for row in briefing["rows"]] == [
        {"participants": 1, "participation_rate": 0.2, "previous_place": 1},
        {"participants": 1, "participation_rate": 0.05, "previous_place": 2},
    ]
    assert [unit["name"] for unit in briefing["lagging"]] == ["A Office", "A Site", "A School", "B Depot"]


def test_a_county_is_briefed_unit_by_unit_with_places_then_and_now(campaign, nine):
    briefing = briefing_build(competition=campaign.competition, scope=campaign.county_a, now=nine)

    assert briefing["rows_are"] == "organizations"
    assert [
        (r["name"], r["participants"], r["headcount_target"], r["place"], r["change"]["previous_place"])
        for r in briefing["rows"]
    ] == [("A School", 2, 4, 1, 1), ("A Site", 1, 5, 2, 2), ("A Office", 0, 11, 3, 2)]
    assert [unit["name"] for unit in briefing["lagging"]] == ["A Office", "A Site", "A School"]


def test_briefing_text_is_short_chinese_lines_naming_the_lagging_units(campaign, nine):
    with translation.override("zh-hans"):
        briefing = briefing_build(competition=campaign.competition, scope=campaign.county_a, now=nine)
        text = briefing_text(briefing=briefing)
    today = campaign.days[3]

    assert text.splitlines() == [
        "【通报】Safety Month quiz",
        f"截至{today.month}月{today.day}日 09:00，甲县共有3人参赛（目标20人），参与率15.0%。",
        "较前一日：参赛人数+1，答题次数+1。",
        "",
        "各单位情况（名次、参赛/目标、参与率、较前一日）：",
        "1. A School：2/4，50.0%，+0人，名次持平",
        "2. A Site：1/5，20.0%，+1人，名次持平",
        "3. A Office：0/11，0.0%，+0人，下降1位",
        "",
        "参与率低于60%的单位：",
        "A Office（0.0%）、A Site（20.0%）、",
        "A School（50.0%）。",
        "请各单位继续抓好组织发动。",
    ]
    assert max(len(line) for line in text.splitlines()) <= 40


def test_supervision_lists_units_reminded_twice_and_still_below(campaign):
    competition, organizer = campaign.competition, campaign.organizer_a
    units = campaign.units
    for threshold, ids in [
        ("0.6", [units.a_site.pk, units.a_school.pk, units.a_office.pk]),
        ("0.5", [units.a_site.pk, units.a_school.pk]),
    ]:
        reminder_issue(
            competition=competition,
            issued_by=organizer,
            organization_ids=ids,
            threshold=Decimal(threshold),
        )
    newcomer = UserFactory(region=campaign.town_a, organization=units.a_site)
    make_attempt(user=newcomer, competition=competition, day=campaign.days[3], answers=[])

    rows = supervision_list(competition=competition, scope=campaign.county_a)

    # A School reached its latest rate (2/4 = 50 %), A Office was reminded once: only A Site (2/5).
    assert len(rows) == 1
    row = rows[0]
    assert (row["organization"]["name"], row["participants"], row["headcount_target"], row["needed"]) == (
        "A Site",
        2,
        5,
        1,
    )
    assert [(r["participants_at_issue"], r["gained"]) for r in row["reminders"]] == [(1, 1), (1, 1)]
    assert row["reminders"][0]["issued_at"] <= row["reminders"][1]["issued_at"]
    assert supervision_list(competition=competition, scope=campaign.county_b) == []
    with translation.override("zh-hans"):
        text = briefing_text(briefing=briefing_build(competition=competition, scope=campaign.county_a))
    assert "督办：A Site" in text


def test_briefing_api_formats_and_png_draws_chinese(campaign):
    client = api(campaign.organizer_a)
    url = f"/api/v1/competitions/{campaign.competition.pk}/briefing/"

    body = client.get(url).json()
    text = client.get(url, {"format": "txt"})
    png = client.get(url, {"format": "png"})

    assert body["region"]["code"] == "990100" and body["totals"]["participants"] == 3
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode().startswith("【通报】Safety Month quiz\n")
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith('attachment; filename="briefing-990100-')
    image = Image.open(io.BytesIO(png.content)).convert("L")
    assert image.width == 1080 and 700 < image.height < 1400
    # The title 每日通报 is four different glyphs, not four identical "tofu" boxes.
    title_font = fonts.font(56, bold=True)
    width = title_font.getlength("每日通报")
    left = (1080 - width) / 2
    cells = [
        image.crop((int(left + i * width / 4), 30, int(left + (i + 1) * width / 4), 110)) for i in range(4)
    ]
    assert all(cell.getextrema()[1] > 200 for cell in cells)  # white ink on the red band
    assert len({cell.tobytes() for cell in cells}) == 4
    assert client.get(url, {"format": "pdf"}).status_code == 400


def test_an_organizer_cannot_get_another_countys_briefing(campaign):
    client = api(campaign.organizer_a)
    url = f"/api/v1/competitions/{campaign.competition.pk}/briefing/"

    assert client.get(url, {"region": campaign.county_b.pk}).status_code == 403
    assert client.get(url, {"region": campaign.county_b.pk, "format": "png"}).status_code == 403
    assert api(campaign.people.u1).get(url).status_code == 403
    page = Client()
    page.force_login(campaign.organizer_a)
    assert (
        page.get(
            f"/campaign/competitions/{campaign.competition.pk}/briefing/?region={campaign.county_b.pk}"
        ).status_code
        == 403
    )


def test_briefing_command_writes_json_text_and_poster(campaign, tmp_path):
    call_command(
        "briefing",
        competition=campaign.competition.pk,
        region="990200",
        out=str(tmp_path),
        stdout=io.StringIO(),
    )

    files = sorted(path.suffix for path in tmp_path.iterdir())
    assert files == [".json", ".png", ".txt"]
    data = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert (data["totals"]["participants"], data["totals"]["headcount_target"]) == (2, 5)
    text = next(tmp_path.glob("*.txt")).read_text()
    assert "乙县共有2人参赛（目标5人），参与率40.0%。" in text
    assert "B Depot（0.0%）" in text
    assert Image.open(next(tmp_path.glob("*.png"))).width == 1080
