"""Unit invite links and posters: QR -> link -> registration -> counted in the unit; rotation; scope."""

import base64
import io
import zipfile
from urllib.parse import urlparse

import pytest
import zxingcpp
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from campaign.models import UnitInvite
from campaign.selectors.statistics import statistics_by_organization
from tests.campaign.helpers import make_attempt

pytestmark = pytest.mark.django_db

PASSWORD = "Quiz-Safety-2026"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def unit_row(campaign, unit) -> dict:
    rows = statistics_by_organization(competition=campaign.competition, scope=None)
    return next(row for row in rows if row["id"] == unit.pk)


def test_poster_qr_decodes_to_a_link_whose_registration_counts_in_the_unit(campaign):
    unit = campaign.units.a_office
    response = api(campaign.organizer_a).get(
        f"/api/v1/organizations/{unit.pk}/invite/poster/?competition={campaign.competition.pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1080, 1528)
    link = decode(response.content)
    code = UnitInvite.objects.get(organization=unit, retired_at__isnull=True).code
    assert link == f"http://testserver/r/{code}/"

    visitor = Client()
    page = visitor.get(urlparse(link).path)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{campaign.county_a.pk}" selected>' in html
    assert f'<option value="{unit.pk}" selected>' in html
    assert f'data-invite-unit="{unit.pk}"' in html

    registered = visitor.post(
        "/accounts/register/",
        {
            "display_name": "新同事",
            "username": "newcomer",
            "region": campaign.county_a.pk,
            "organization": unit.pk,
            "industry": "edu",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert registered.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert (newcomer.organization_id, newcomer.region_id) == (unit.pk, campaign.county_a.pk)
    assert unit_row(campaign, unit)["participants"] == 0
    make_attempt(user=newcomer, competition=campaign.competition, day=campaign.days[3], answers=[])
    assert unit_row(campaign, unit)["participants"] == 1


def test_registration_through_a_link_obeys_the_plain_rules(campaign):
    code = (
        api(campaign.organizer_a)
        .get(f"/api/v1/organizations/{campaign.units.a_site.pk}/invite/")
        .json()["code"]
    )
    visitor = Client()
    assert visitor.get(f"/r/{code}/").status_code == 200
    response = visitor.post(
        "/accounts/register/",
        {
            "display_name": "x",
            "username": "u1",  # taken
            "region": campaign.county_a.pk,
            "organization": campaign.units.a_site.pk,
            "password": "12345678",
            "password_confirm": "12345678",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(display_name="x").exists()


def test_invite_api_answers_code_url_and_a_qr_of_the_url(campaign):
    unit = campaign.units.a_school
    body = api(campaign.organizer_a).get(f"/api/v1/organizations/{unit.pk}/invite/").json()

    assert len(body["code"]) == 8 and body["code"] != str(unit.pk)
    assert body["url"] == f"http://testserver/r/{body['code']}/"
    assert body["organization"] == {
        "id": unit.pk,
        "name": "A School",
        "county": {"id": campaign.county_a.pk, "code": "990100", "name": "甲县"},
    }
    png = base64.b64decode(body["qr_png"].removeprefix("data:image/png;base64,"))
    assert decode(png) == body["url"]
    # Asking again gives the same code: a printed poster stays valid.
    assert api(campaign.admin).get(f"/api/v1/organizations/{unit.pk}/invite/").json()["code"] == body["code"]


def test_rotation_replaces_the_link_and_the_old_one_shows_a_notice(campaign):
    unit = campaign.units.b_depot
    old = api(campaign.admin).get(f"/api/v1/organizations/{unit.pk}/invite/").json()["code"]

    assert (
        api(campaign.organizer_b).post(f"/api/v1/organizations/{unit.pk}/invite/rotate/").status_code == 403
    )
    rotated = api(campaign.admin).post(f"/api/v1/organizations/{unit.pk}/invite/rotate/")

    assert rotated.status_code == 200
    new = rotated.json()["code"]
    assert new != old
    visitor = Client()
    response = visitor.get(f"/r/{old}/", follow=True)
    assert response.redirect_chain == [("/accounts/register/", 302)]
    assert (
        "This invite link has been replaced" in response.content.decode()
        or "已更换" in response.content.decode()
    )
    assert f'<option value="{unit.pk}" selected>' not in response.content.decode()
    assert visitor.get(f"/r/{new}/").status_code == 200
    unknown = visitor.get("/r/not-a-code/", follow=True)
    assert unknown.redirect_chain == [("/accounts/register/", 302)]


def test_an_organizer_cannot_get_another_countys_invites(campaign):
    client = api(campaign.organizer_a)
    before = sorted(UnitInvite.objects.values_list("organization__name", "code", "retired_at"))

    assert client.get(f"/api/v1/organizations/{campaign.units.b_school.pk}/invite/").status_code == 403
    assert client.get(f"/api/v1/organizations/{campaign.units.b_school.pk}/invite/poster/").status_code == 403
    assert (
        client.get(f"/api/v1/organizations/invite-posters/?region={campaign.county_b.pk}").status_code == 403
    )
    assert (
        api(campaign.people.u1).get(f"/api/v1/organizations/{campaign.units.a_school.pk}/invite/").status_code
        == 403
    )
    assert sorted(UnitInvite.objects.values_list("organization__name", "code", "retired_at")) == before


def test_the_zip_holds_one_decodable_poster_per_unit_of_the_scope(campaign):
    response = api(campaign.organizer_a).get(
        f"/api/v1/organizations/invite-posters/?competition={campaign.competition.pk}"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["甲县-A Office.png", "甲县-A School.png", "甲县-A Site.png"]
    codes = dict(UnitInvite.objects.values_list("organization__name", "code"))
    for name in archive.namelist():
        unit_name = name.removeprefix("甲县-").removesuffix(".png")
        assert decode(archive.read(name)) == f"http://testserver/r/{codes[unit_name]}/"


def test_a_member_of_another_unit_is_asked_before_moving(campaign):
    u1 = campaign.people.u1  # A School
    code = (
        api(campaign.admin).get(f"/api/v1/organizations/{campaign.units.a_office.pk}/invite/").json()["code"]
    )
    client = Client()
    client.force_login(u1)

    asked = client.get(f"/r/{code}/")
    u1.refresh_from_db()
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.content.decode()
    assert u1.organization_id == campaign.units.a_school.pk

    client.post(f"/r/{code}/", {"confirm": "no"})
    u1.refresh_from_db()
    assert u1.organization_id == campaign.units.a_school.pk

    client.post(f"/r/{code}/", {"confirm": "yes"})
    u1.refresh_from_db()
    assert (u1.organization_id, u1.region_id, u1.industry_id) == (
        campaign.units.a_office.pk,
        campaign.county_a.pk,
        campaign.education.pk,
    )


def test_invites_page_lists_the_scopes_units_with_links(campaign):
    client = Client()
    client.force_login(campaign.organizer_a)

    response = client.get(f"/campaign/competitions/{campaign.competition.pk}/invites/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="invite-url"') == 3
    assert "B School" not in html
    assert "更换链接" not in html


def test_every_unit_has_its_code_from_the_start_and_a_new_one_gets_it_when_made(campaign):
    from accounts.models import Organization

    live = UnitInvite.objects.filter(retired_at__isnull=True)
    assert sorted(live.values_list("organization__name", flat=True)) == sorted(
        Organization.objects.values_list("name", flat=True)
    )

    unit = Organization.objects.create(name="A Farm", region=campaign.county_a, industry=campaign.education)

    assert live.filter(organization=unit).count() == 1
    assert len(live.get(organization=unit).code) == 8


def test_imported_units_get_their_codes_in_the_import(campaign):
    from campaign.services.units import unit_import

    unit_import(file="单位名称,县区,行业,目标人数\r\nNew One,乙县,教育,3\r\n".encode(), filename="u.csv")

    assert UnitInvite.objects.filter(organization__name="New One", retired_at__isnull=True).count() == 1


def test_opening_the_invites_page_writes_nothing_and_missing_links_are_made_by_a_post(campaign):
    client = Client()
    client.force_login(campaign.organizer_a)
    url = f"/campaign/competitions/{campaign.competition.pk}/invites/"
    UnitInvite.objects.filter(organization=campaign.units.a_site).delete()
    before = sorted(UnitInvite.objects.values_list("organization__name", "code"))

    page = client.get(url)

    html = page.content.decode()
    assert sorted(UnitInvite.objects.values_list("organization__name", "code")) == before
    assert html.count('class="invite-url"') == 2  # A Office and A School; A Site has none
    assert 'id="generate-links"' in html

    made = client.post(url, {"action": "generate"}, follow=True)

    code = UnitInvite.objects.get(organization=campaign.units.a_site).code
    assert sorted(UnitInvite.objects.values_list("organization__name", "code")) == sorted(
        [*before, ("A Site", code)]
    )
    assert f"http://testserver/r/{code}/" in made.content.decode()
    assert 'id="generate-links"' not in made.content.decode()
