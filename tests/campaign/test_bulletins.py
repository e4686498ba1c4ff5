"""Rankings and bulletins: frozen at issue, exported as formatted .xlsx and CSV.

Fixture figures (tests/campaign/conftest.py):
  counties  A: 3 people, target 20, rate 0.15, 60 points, average 15.0
            B: 2 people, target 5,  rate 0.4,  40 points, average 20.0
  units     A School 2/4 = 0.5, 60 pts, avg 20.0 | A Site 1/5 = 0.2, 0 pts, avg 0.0 | A Office 0/11, none
            B School 2/2 = 1.0, 40 pts, avg 20.0 | B Depot 0/3, none
"""

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from campaign.exports import bulletin_export_csv, bulletin_export_xlsx
from campaign.models import Bulletin
from campaign.selectors import campaign_rankings
from campaign.services import bulletin_issue
from core.errors import ApplicationError
from tests.campaign.helpers import local_moment, make_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_county_ranks_by_every_metric(campaign):
    counties = campaign_rankings(competition=campaign.competition, scope=None)["counties"]

    # by rate B 0.4 > A 0.15; by people A 3 > B 2; by points A 60 > B 40; by average B 20 > A 15.
    assert [
        (
            c["name"],
            c["rank"],
            c["rank_rate"],
            c["rank_participants"],
            c["rank_points"],
            c["rank_average_score"],
        )
        for c in counties
    ] == [("乙县", 1, 1, 2, 2, 1), ("甲县", 2, 2, 1, 1, 2)]


def test_unit_ranking_by_rate_shares_places_on_ties(campaign):
    units = campaign_rankings(competition=campaign.competition, scope=None)["units"]

    # rate: B School 1.0, A School 0.5, A Site 0.2, then A Office and B Depot both 0 -> 4th together
    # (the tie is listed by name).
    assert [(u["name"], u["rank"], u["participation_rate"]) for u in units] == [
        ("B School", 1, 1.0),
        ("A School", 2, 0.5),
        ("A Site", 3, 0.2),
        ("A Office", 4, 0.0),
        ("B Depot", 4, 0.0),
    ]
    ranks = {u["name"]: (u["rank_participants"], u["rank_points"], u["rank_average_score"]) for u in units}
    # people: A School 2, B School 2 (1st together), A Site 1 (3rd), the two empty units 4th.
    # points: A School 60 (1), B School 40 (2), the rest 0 (3rd together).
    # average: A School and B School 20.0 (1st together), A Site 0.0 (3rd), no attempts (4th).
    assert ranks == {
        "A School": (1, 1, 1),
        "B School": (1, 2, 1),
        "A Site": (3, 3, 3),
        "A Office": (4, 3, 4),
        "B Depot": (4, 3, 4),
    }


def test_ranking_by_points_orders_units_by_points(campaign):
    units = campaign_rankings(competition=campaign.competition, scope=None, ranked_by="points")["units"]

    # 60, 40, then three units at 0 ordered by rate (A Site 0.2 first), then name.
    assert [(u["name"], u["rank"]) for u in units] == [
        ("A School", 1),
        ("B School", 2),
        ("A Site", 3),
        ("A Office", 3),
        ("B Depot", 3),
    ]


def test_bulletin_stays_frozen_while_new_answers_arrive(campaign):
    bulletin = bulletin_issue(competition=campaign.competition, issued_by=campaign.admin, scope=None)
    office_worker = UserFactory(region=campaign.county_a, organization=campaign.units.a_office)
    make_attempt(
        user=office_worker,
        competition=campaign.competition,
        day=timezone.localdate(),
        answers=[(campaign.questions.q1, "B")],
        submitted_at=timezone.now(),
    )

    live = campaign_rankings(competition=campaign.competition, scope=None)
    assert {u["name"]: u["participants"] for u in live["units"]}["A Office"] == 1

    bulletin.refresh_from_db()
    frozen = {u["name"]: (u["participants"], u["rank"]) for u in bulletin.rows["units"]}
    assert frozen["A Office"] == (0, 4)
    assert bulletin.rows["totals"]["participants"] == 5
    sheet = load_workbook(io.BytesIO(bulletin_export_xlsx(bulletin=bulletin)))["单位排名"]
    assert [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)][3] == "A Office"
    assert [r[4] for r in sheet.iter_rows(min_row=4, values_only=True)][3] == 0


def test_bulletin_as_of_a_past_moment_leaves_out_later_answers(campaign):
    d0, d1, d2, _ = campaign.days
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.admin, scope=None, as_of=local_moment(d1, 23, 59)
    )

    # Up to the end of d1: a1, a5 (d0), a2, a3 (d1): A has u1, u2 -> 2/20 = 0.1; B has u4 -> 1/5 = 0.2.
    counties = {c["name_en"]: (c["participants"], c["participation_rate"]) for c in bulletin.rows["counties"]}
    assert counties == {"A County": (2, 0.1), "B County": (1, 0.2)}


def test_bulletin_cannot_be_as_of_the_future(campaign):
    with pytest.raises(ApplicationError):
        bulletin_issue(
            competition=campaign.competition,
            issued_by=campaign.admin,
            scope=None,
            as_of=timezone.now() + timedelta(hours=1),
        )
    assert Bulletin.objects.count() == 0


def test_organizer_bulletin_covers_its_county_only(campaign):
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.organizer_b, scope=campaign.county_b
    )

    assert [c["name_en"] for c in bulletin.rows["counties"]] == ["B County"]
    assert [u["name"] for u in bulletin.rows["units"]] == ["B School", "B Depot"]


def test_xlsx_export_is_formatted_with_the_expected_rows(campaign):
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.admin, scope=None, title="六月通报"
    )

    workbook = load_workbook(io.BytesIO(bulletin_export_xlsx(bulletin=bulletin)))
    assert workbook.sheetnames == ["县区排名", "单位排名"]
    counties = workbook["县区排名"]
    assert counties["A1"].value == "六月通报"
    assert counties["A1"].font.bold
    assert [c.value for c in counties[3]] == [
        "排名",
        "县区",
        "单位数",
        "参与人数",
        "目标人数",
        "参与率",
        "答题次数",
        "积分",
        "平均分",
    ]
    assert all(c.font.bold for c in counties[3])
    assert counties.freeze_panes == "A4"
    assert [list(r) for r in counties.iter_rows(min_row=4, values_only=True)] == [
        [1, "乙县", 2, 2, 5, 0.4, 2, 40, 20.0],
        [2, "甲县", 3, 3, 20, 0.15, 4, 60, 15.0],
    ]
    assert counties["F4"].number_format == "0.0%"
    assert counties.column_dimensions["B"].width == 30

    units = workbook["单位排名"]
    assert [c.value for c in units[3]][:4] == ["排名", "单位", "县区", "行业"]
    assert [list(r) for r in units.iter_rows(min_row=4, values_only=True)] == [
        [1, "B School", "乙县", "教育", 2, 2, 1.0, 2, 40, 20.0],
        [2, "A School", "甲县", "教育", 2, 4, 0.5, 3, 60, 20.0],
        [3, "A Site", "甲县", "建筑施工", 1, 5, 0.2, 1, 0, 0.0],
        [4, "A Office", "甲县", "教育", 0, 11, 0.0, 0, 0, None],
        [4, "B Depot", "乙县", "建筑施工", 0, 3, 0.0, 0, 0, None],
    ]


def test_xlsx_export_in_english_for_an_english_reader(campaign):
    from django.utils import translation

    bulletin = bulletin_issue(competition=campaign.competition, issued_by=campaign.admin, scope=None)
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(bulletin_export_xlsx(bulletin=bulletin)))

    assert workbook.sheetnames == ["County ranking", "Unit ranking"]
    sheet = workbook["County ranking"]
    assert [c.value for c in sheet[3]][:3] == ["Rank", "County", "Units"]
    assert sheet["B4"].value == "B County"


def test_csv_export_is_utf8_with_bom_and_sections(campaign):
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.admin, scope=None, title="六月通报"
    )

    raw = bulletin_export_csv(bulletin=bulletin)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["六月通报"]
    assert rows[3] == ["县区排名"]
    assert rows[4][:6] == ["排名", "县区", "单位数", "参与人数", "目标人数", "参与率"]
    assert rows[5] == ["1", "乙县", "2", "2", "5", "40.0%", "2", "40", "20.00"]
    assert rows[6] == ["2", "甲县", "3", "3", "20", "15.0%", "4", "60", "15.00"]
    assert rows[8] == ["单位排名"]
    assert rows[10] == ["1", "B School", "乙县", "教育", "2", "2", "100.0%", "2", "40", "20.00"]
    assert rows[14] == ["4", "B Depot", "乙县", "建筑施工", "0", "3", "0.0%", "0", "0", ""]


FORMULA = '=HYPERLINK("http://evil.example/x","点击")'


def test_exports_write_formula_like_titles_and_unit_names_as_text(campaign):
    campaign.units.a_school.name = "@" + FORMULA
    campaign.units.a_school.save()
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.admin, scope=None, title=FORMULA
    )

    workbook = load_workbook(io.BytesIO(bulletin_export_xlsx(bulletin=bulletin)))
    title = workbook["县区排名"]["A1"]
    assert (title.value, title.data_type, title.quotePrefix) == (FORMULA, "s", True)
    unit = workbook["单位排名"]["B5"]
    assert (unit.value, unit.data_type) == ("@" + FORMULA, "s")
    rows = list(csv.reader(io.StringIO(bulletin_export_csv(bulletin=bulletin).decode("utf-8-sig"))))
    assert rows[0] == ["'" + FORMULA]
    assert rows[11][:2] == ["2", "'@" + FORMULA]


def test_default_title_and_file_name_name_the_region_in_the_readers_language(campaign, make_client):
    """Issue 15: a county's bulletin read as the prefecture's, and its file was `bulletin-7-….xlsx`."""
    as_of = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=5)
    bulletin = bulletin_issue(
        competition=campaign.competition, issued_by=campaign.organizer_b, scope=campaign.county_b, as_of=as_of
    )
    stamp = as_of.strftime("%Y%m%d-%H%M")
    url = f"/api/v1/bulletins/{bulletin.pk}/export/"

    chinese = make_client(campaign.organizer_b).get(url + "?format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = make_client(campaign.organizer_b).get(url + "?format=xlsx", HTTP_ACCEPT_LANGUAGE="en")

    assert bulletin.title == (
        f"{campaign.competition.title} · 乙县：参与情况排名（截至 {as_of.strftime('%Y-%m-%d %H:%M')}）"
    )
    assert chinese["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote(f"排名通报-乙县-{stamp}.csv")
    )
    assert english["Content-Disposition"] == f'attachment; filename="ranking_bulletin-B_County-{stamp}.xlsx"'
