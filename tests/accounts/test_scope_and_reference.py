import pytest

from accounts.models import Region, User
from accounts.selectors import regions_visible_to, user_can_see_region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_public_reference_data_needs_no_login(api_client, linxia):
    regions = api_client.get("/api/v1/regions/").json()
    industries = api_client.get("/api/v1/industries/").json()
    units = api_client.get(f"/api/v1/organizations/?region={linxia['dongxiang'].pk}").json()

    assert len(regions) == 9
    prefecture = next(r for r in regions if r["code"] == "622900")
    assert prefecture["level"] == "prefecture" and prefecture["parent"] is None
    assert {r["parent"] for r in regions if r["level"] == "county"} == {prefecture["id"]}
    assert {"code": "mining", "name": "矿山"} in industries
    assert len(units) == 5
    assert all(u["region"] == linxia["dongxiang"].pk for u in units)


def test_region_names_follow_the_language(api_client, linxia):
    en = api_client.get("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert {r["name"] for r in en if r["level"] == "county"} >= {"Linxia City", "Dongxiang Autonomous County"}


def test_organizer_sees_its_county_and_below_but_not_the_next(linxia):
    organizer = linxia["organizer"]
    township = Region.objects.create(
        code="622901001",
        name_zh="城南街道",
        name_en="Chengnan",
        level=Region.Level.TOWNSHIP,
        parent=linxia["linxia_city"],
    )

    visible = set(regions_visible_to(user=organizer))

    assert visible == {linxia["linxia_city"], township}
    assert user_can_see_region(user=organizer, region=township)
    assert not user_can_see_region(user=organizer, region=linxia["dongxiang"])
    assert not user_can_see_region(user=organizer, region=linxia["prefecture"])


def test_admin_sees_every_region_and_participant_none(linxia, participant):
    assert regions_visible_to(user=linxia["admin"]).count() == 9
    assert regions_visible_to(user=participant).count() == 0


def test_admin_makes_an_organizer_with_a_scope(make_client, linxia, participant):
    admin = make_client(linxia["admin"])

    response = admin.patch(
        f"/api/v1/users/{participant.pk}/",
        {"role": "organizer", "scope_region": linxia["dongxiang"].pk},
        format="json",
    )

    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.role == User.Role.ORGANIZER
    assert participant.scope_region == linxia["dongxiang"]
    assert user_can_see_region(user=participant, region=linxia["dongxiang"])


def test_organizer_role_without_scope_is_refused(make_client, linxia, participant):
    response = make_client(linxia["admin"]).patch(
        f"/api/v1/users/{participant.pk}/", {"role": "organizer"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "scope_region"


def test_user_list_is_admin_only_and_masks_phones(make_client, linxia):
    UserFactory(username="withphone", phone="13800001234", region=linxia["linxia_city"])

    assert make_client(linxia["organizer"]).get("/api/v1/users/").status_code == 403
    body = make_client(linxia["admin"]).get("/api/v1/users/?search=withphone").json()

    assert body["count"] == 1
    assert body["results"][0]["phone"] == "138****1234"


def test_me_requires_login(api_client, db):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_health_and_ready(api_client, db):
    assert api_client.get("/api/v1/health/").json() == {"status": "ok"}
    ready = api_client.get("/api/v1/ready/")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True


def test_openapi_schema_describes_the_account_endpoints(api_client, db):
    response = api_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for expected in ["/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/", "/api/v1/regions/"]:
        assert expected in paths
