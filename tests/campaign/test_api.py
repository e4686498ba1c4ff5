"""The campaign API: shapes, organizer scoping, 401/403, reminders, bulletins and their export."""

import csv
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from campaign.models import Bulletin, Notice
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def url(campaign, name: str) -> str:
    return f"/api/v1/competitions/{campaign.competition.pk}/{name}/"


def test_anonymous_gets_401(campaign):
    for name in ("statistics", "lagging-units", "item-analysis", "reminders", "bulletins"):
        response = APIClient().get(url(campaign, name))
        assert response.status_code == 401, name
        assert response.json()["code"] == "not_authenticated"


def test_participant_gets_403(campaign):
    client = client_for(campaign.people.u1)
    for name in ("statistics", "lagging-units?threshold=0.5", "item-analysis", "reminders", "bulletins"):
        response = client.get(
            url(campaign, name.split("?")[0]) + ("?" + name.split("?")[1] if "?" in name else "")
        )
        assert response.status_code == 403, name


def test_admin_sees_every_county(campaign):
    response = client_for(campaign.admin).get(url(campaign, "statistics"), {"by": "county"})

    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "county"
    assert [
        (r["code"], r["participants"], r["headcount_target"], r["participation_rate"]) for r in body["rows"]
    ] == [
        ("990100", 3, 20, 0.15),
        ("990200", 2, 5, 0.4),
    ]
    assert body["totals"]["participants"] == 5


def test_organizer_sees_only_its_countys_units(campaign):
    response = client_for(campaign.organizer_b).get(url(campaign, "statistics"), {"by": "organization"})

    assert response.status_code == 200
    body = response.json()
    assert body["region"]["code"] == "990200"
    assert [r["name"] for r in body["rows"]] == ["B Depot", "B School"]
    # B: 2 people, 2 attempts, 40 points, target 5 -> 0.4
    assert (
        body["totals"]["participants"],
        body["totals"]["points"],
        body["totals"]["participation_rate"],
    ) == (2, 40, 0.4)


def test_organizer_asking_for_another_county_gets_403(campaign):
    response = client_for(campaign.organizer_b).get(
        url(campaign, "statistics"), {"region": campaign.county_a.pk}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"


def test_organizer_item_analysis_and_lagging_units_stay_in_scope(campaign):
    client = client_for(campaign.organizer_b)

    assert client.get(url(campaign, "item-analysis")).json()["attempts"] == 2  # a5, a6
    lagging = client.get(url(campaign, "lagging-units"), {"threshold": "0.5", "bottom": 1}).json()
    assert [u["name"] for u in lagging] == ["B Depot"]


def test_by_day_over_the_api(campaign):
    rows = client_for(campaign.admin).get(url(campaign, "statistics"), {"by": "day"}).json()["rows"]

    assert [r["cumulative_participants"] for r in rows] == [2, 3, 5, 5]
    assert rows[0]["day"] == campaign.days[0].isoformat()


def test_bad_query_is_a_400_not_a_500(campaign):
    client = client_for(campaign.admin)

    assert client.get(url(campaign, "statistics"), {"by": "planet"}).status_code == 400
    assert client.get(url(campaign, "lagging-units")).status_code == 400  # neither threshold nor bottom
    assert client.get(url(campaign, "lagging-units"), {"threshold": "7"}).status_code == 400
    assert client.get("/api/v1/competitions/999999/statistics/").status_code == 404


def test_organizer_reminds_units_and_members_see_it_over_the_api(campaign):
    client = client_for(campaign.organizer_a)
    response = client.post(
        url(campaign, "reminders"),
        {
            "organizations": [campaign.units.a_site.pk, campaign.units.a_office.pk],
            "threshold": "0.4",
            "message": "加油",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["notices"] == 2
    notices = client_for(campaign.people.u3).get("/api/v1/me/notices/").json()
    assert [(n["organization"]["name"], n["needed"], n["message"]) for n in notices] == [
        ("A Site", 1, "加油")
    ]
    history = client.get(url(campaign, "reminders")).json()
    assert sorted((h["organization"]["name"], h["participants_at_issue"]) for h in history) == [
        ("A Office", 0),
        ("A Site", 1),
    ]


def test_organizer_cannot_remind_outside_its_scope(campaign):
    response = client_for(campaign.organizer_a).post(
        url(campaign, "reminders"),
        {"organizations": [campaign.units.b_depot.pk], "threshold": "0.4"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_units"
    assert Notice.objects.count() == 0


def test_bulletin_issue_detail_and_exports(campaign):
    client = client_for(campaign.admin)
    response = client.post(
        url(campaign, "bulletins"), {"title": "第一期", "ranked_by": "rate"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert [(c["rank"], c["name"]) for c in body["rows"]["counties"]] == [(1, "乙县"), (2, "甲县")]
    bulletin_id = body["id"]
    detail = client.get(f"/api/v1/bulletins/{bulletin_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [c["name"] for c in detail["rows"]["counties"]] == ["B County", "A County"]

    xlsx = client.get(f"/api/v1/bulletins/{bulletin_id}/export/", {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content))["县区排名"]
    assert [r[:2] for r in sheet.iter_rows(min_row=4, values_only=True)] == [(1, "乙县"), (2, "甲县")]

    english = client.get(
        f"/api/v1/bulletins/{bulletin_id}/export/", {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert load_workbook(io.BytesIO(english.content)).sheetnames == ["County ranking", "Unit ranking"]

    exported = client.get(f"/api/v1/bulletins/{bulletin_id}/export/", {"format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["第一期"]


def test_organizer_sees_its_own_bulletins_not_the_prefectures(campaign):
    client_for(campaign.admin).post(url(campaign, "bulletins"), {}, format="json")
    mine = client_for(campaign.organizer_b).post(url(campaign, "bulletins"), {}, format="json").json()

    listed = client_for(campaign.organizer_b).get(url(campaign, "bulletins")).json()
    assert [b["id"] for b in listed] == [mine["id"]]
    prefecture_wide = Bulletin.objects.exclude(pk=mine["id"]).get()
    assert client_for(campaign.organizer_b).get(f"/api/v1/bulletins/{prefecture_wide.pk}/").status_code == 404
    assert client_for(campaign.organizer_a).get(f"/api/v1/bulletins/{mine['id']}/export/").status_code == 404


def test_schema_describes_the_campaign_endpoints(campaign):
    response = client_for(campaign.admin).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/competitions/{competition_id}/statistics/",
        "/api/v1/competitions/{competition_id}/lagging-units/",
        "/api/v1/competitions/{competition_id}/item-analysis/",
        "/api/v1/competitions/{competition_id}/reminders/",
        "/api/v1/competitions/{competition_id}/bulletins/",
        "/api/v1/bulletins/{bulletin_id}/export/",
        "/api/v1/me/notices/",
    ):
        assert path in paths, path
