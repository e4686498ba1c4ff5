"""Importing units from .xlsx/.csv: all or nothing, every bad row reported at once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from accounts.models import Organization
from campaign.services import unit_import
from core.errors import ApplicationError
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.encode(encoding)


def test_xlsx_creates_units_and_updates_the_one_that_exists(campaign):
    content = xlsx(
        [
            ["单位名称", "县区", "行业", "目标人数", "联系人", "联系电话"],
            ["A Clinic", "甲县", "教育", 30, "王医生", "138 0000 0099"],
            ["Town Works", "甲镇", "建筑施工", "12", "", ""],
            ["A School", "990100", "edu", 8, "校长", "0930-1234567"],  # exists in A: updated
        ]
    )

    result = unit_import(file=content, filename="units.xlsx")

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    clinic = Organization.objects.get(name="A Clinic")
    assert (clinic.region, clinic.industry.code, clinic.headcount_target) == (campaign.county_a, "edu", 30)
    assert (clinic.contact_name, clinic.contact_phone) == (
        "王医生",
        "13800000099",
    )  # spaces dropped from a mobile
    assert Organization.objects.get(name="Town Works").region == campaign.town_a
    school = Organization.objects.get(name="A School")
    assert (school.headcount_target, school.contact_phone) == (8, "0930-1234567")


def test_english_headers_in_any_order_and_gb18030_csv(campaign):
    content = csv_bytes(
        "industry,headcount target,unit name,county\r\nConstruction,7,乙县工地,B County\r\n", "gb18030"
    )

    result = unit_import(file=content, filename="units.csv")

    assert result.created == 1
    unit = Organization.objects.get(name="乙县工地")
    assert (unit.region, unit.industry, unit.headcount_target) == (
        campaign.county_b,
        campaign.construction,
        7,
    )


def test_every_bad_row_is_reported_and_nothing_is_written(campaign):
    before = Organization.objects.count()
    content = csv_bytes(
        "单位名称,县区,行业,目标人数,联系电话\r\n"
        "Good Unit,甲县,教育,10,\r\n"  # row 2: fine, but must not be written
        ",甲县,教育,10,\r\n"  # row 3: no name
        "Ghost,火星县,教育,10,\r\n"  # row 4: unknown county
        "Mine,乙县,采矿,-3,\r\n"  # row 5: unknown industry and a negative target
        "Good Unit,甲县,教育,5,电话打不通\r\n"  # row 6: repeats row 2, phone is not a number
    )

    with pytest.raises(ApplicationError) as caught:
        unit_import(file=content, filename="units.csv")

    assert caught.value.code == "invalid_rows"
    assert [(e["row"], e["column"]) for e in caught.value.errors] == [
        (3, "单位名称"),
        (4, "县区"),
        (5, "行业"),
        (5, "目标人数"),
        (6, "联系电话"),
        (6, "单位名称"),
    ]
    assert "火星县" in caught.value.errors[1]["message"]
    assert "2" in caught.value.errors[5]["message"]  # "already appears in row 2"
    assert Organization.objects.count() == before


def test_dry_run_reports_without_writing(campaign):
    content = csv_bytes("单位名称,县区,行业,目标人数\r\nNew One,乙县,教育,3\r\nB School,乙县,教育,2\r\n")

    result = unit_import(file=content, filename="u.csv", dry_run=True)

    assert (result.created, result.updated, result.unchanged, result.dry_run) == (1, 0, 1, True)
    assert [r["action"] for r in result.rows] == ["create", "unchanged"]
    assert not Organization.objects.filter(name="New One").exists()


def test_unrecognised_headers_are_a_400_naming_the_columns(campaign):
    with pytest.raises(ApplicationError) as caught:
        unit_import(file=csv_bytes("foo,bar\r\n1,2\r\n"), filename="u.csv")

    assert caught.value.code == "unrecognised_headers"
    assert "foo" in caught.value.message


def test_api_import_is_admin_only_and_reports_rows(campaign):
    upload = SimpleUploadedFile("u.csv", csv_bytes("单位名称,县区,行业,目标人数\r\nX,甲县,教育,abc\r\n"))
    assert (
        client_for(campaign.organizer_a).post("/api/v1/organizations/import/", {"file": upload}).status_code
        == 403
    )

    upload = SimpleUploadedFile("u.csv", csv_bytes("单位名称,县区,行业,目标人数\r\nX,甲县,教育,abc\r\n"))
    response = client_for(campaign.admin).post("/api/v1/organizations/import/", {"file": upload})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert body["errors"] == [{"row": 2, "column": "目标人数", "message": body["errors"][0]["message"]}]

    upload = SimpleUploadedFile("u.csv", csv_bytes("单位名称,县区,行业,目标人数\r\nX,甲县,教育,9\r\n"))
    response = client_for(campaign.admin).post("/api/v1/organizations/import/", {"file": upload})
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_import_template_has_the_header(campaign):
    response = client_for(campaign.admin).get("/api/v1/organizations/import-template/", {"format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["单位名称", "县区", "行业", "目标人数", "联系人", "联系电话"]


def test_import_page_lists_the_errors(campaign):
    campaign.admin.is_staff = True
    client = Client()
    client.force_login(campaign.admin)
    upload = SimpleUploadedFile(
        "u.csv", csv_bytes("单位名称,县区,行业,目标人数\r\nX,火星县,教育,1\r\nY,甲县,教育,-1\r\n")
    )

    html = client.post("/campaign/units/import/", {"file": upload}).content.decode()

    errors = html.split('id="import-errors"')[1]
    assert "火星县" in errors and "-1" in errors
    assert not Organization.objects.filter(name__in=["X", "Y"]).exists()
