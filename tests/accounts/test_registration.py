import pytest
from rest_framework.authtoken.models import Token

from accounts.models import User

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


def _payload(linxia, **overrides):
    county = linxia["linxia_city"]
    unit = county.organizations.order_by("id").first()
    body = {
        "username": "newcomer",
        "password": "Qx7!safety-June",
        "display_name": "新人",
        "region": county.pk,
        "organization": unit.pk,
        "phone": "13912345678",
    }
    body.update(overrides)
    return body


def test_register_creates_participant_with_token_and_unit_industry(api_client, linxia):
    response = api_client.post(REGISTER, _payload(linxia), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(username="newcomer")
    assert body == {"id": user.pk, "username": "newcomer", "token": Token.objects.get(user=user).key}
    assert user.role == User.Role.PARTICIPANT
    assert user.region == linxia["linxia_city"]
    assert user.industry == user.organization.industry
    assert user.check_password("Qx7!safety-June")


def test_token_login_returns_the_users_token_and_me_shows_own_phone(api_client, linxia):
    api_client.post(REGISTER, _payload(linxia), format="json")

    response = api_client.post(TOKEN, {"username": "newcomer", "password": "Qx7!safety-June"}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user__username="newcomer").key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "newcomer"
    assert me["role"] == "participant"
    assert me["region"] == {"id": linxia["linxia_city"].pk, "code": "622901", "name": "临夏市"}
    assert me["phone"] == "13912345678"


def test_wrong_password_and_unknown_user_get_the_same_message(api_client, linxia):
    api_client.post(REGISTER, _payload(linxia), format="json")

    wrong = api_client.post(TOKEN, {"username": "newcomer", "password": "nope-nope-1"}, format="json")
    unknown = api_client.post(TOKEN, {"username": "nobody", "password": "nope-nope-1"}, format="json")

    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"region": 999999}, "region", "unknown_region"),
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"phone": "23912345678"}, "phone", "invalid_phone"),
        ({"password": "123"}, "password", "weak_password"),
        ({"password": "password"}, "password", "weak_password"),
    ],
)
def test_bad_registration_answers_400_per_field_and_creates_nothing(
    api_client, linxia, overrides, field, code
):
    users_before = User.objects.count()

    response = api_client.post(REGISTER, _payload(linxia, **overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(e["field"] == field and e["code"] == code for e in body["errors"]), body
    assert User.objects.count() == users_before


def test_prefecture_is_not_a_valid_registration_region(api_client, linxia):
    response = api_client.post(REGISTER, _payload(linxia, region=linxia["prefecture"].pk), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_county"


def test_unit_of_another_county_is_refused(api_client, linxia):
    other_unit = linxia["dongxiang"].organizations.first()

    response = api_client.post(REGISTER, _payload(linxia, organization=other_unit.pk), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organization"


def test_duplicate_username_is_reported_and_a_taken_phone_is_not(api_client, linxia):
    assert api_client.post(REGISTER, _payload(linxia), format="json").status_code == 201
    users_before = User.objects.count()

    response = api_client.post(REGISTER, _payload(linxia, username="NEWCOMER"), format="json")

    assert response.status_code == 400
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("username", "unique")}
    assert User.objects.count() == users_before


def test_several_bad_fields_are_reported_at_once(api_client, linxia):
    response = api_client.post(
        REGISTER, _payload(linxia, region=424242, phone="abc", password="1"), format="json"
    )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"region", "phone", "password"} <= fields


def test_messages_follow_accept_language(api_client, linxia):
    zh = api_client.post(
        REGISTER, _payload(linxia, phone="123"), format="json", HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )
    en = api_client.post(REGISTER, _payload(linxia, phone="123"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    zh_msg = next(e["message"] for e in zh.json()["errors"] if e["field"] == "phone")
    en_msg = next(e["message"] for e in en.json()["errors"] if e["field"] == "phone")
    assert "手机号" in zh_msg
    assert "mobile number" in en_msg


def test_missing_fields_are_reported_by_name(api_client, linxia):
    response = api_client.post(REGISTER, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"username", "password", "region"} <= fields
    assert all(e["message"] == "This field is required." for e in response.json()["errors"])
