"""Issue 13 point 8: registration tells nothing about phones, usernames cannot impersonate staff or
hide their shape, and password messages speak the registrant's language."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.validators import name_skeleton, validate_username
from tests.factories import UserFactory

REGISTER = "/api/v1/auth/register/"

pytestmark = pytest.mark.django_db


def _payload(linxia, **overrides) -> dict:
    body = {
        "username": "newcomer",
        "password": "Qx7!safety-June",
        "display_name": "新人",
        "region": linxia["linxia_city"].pk,
        "phone": "13912345678",
    }
    body.update(overrides)
    return body


# --- phones ---------------------------------------------------------------------------------------


def test_a_registered_phone_is_not_attached_and_the_registration_succeeds_with_a_neutral_notice(
    api_client, linxia
):
    owner = UserFactory(region=linxia["linxia_city"], phone="13912345678")

    response = api_client.post(REGISTER, _payload(linxia), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 201, response.content
    user = User.objects.get(username="newcomer")
    assert response.json() == {
        "id": user.pk,
        "username": "newcomer",
        "token": Token.objects.get(user=user).key,
        "notices": [
            {
                "field": "phone",
                "code": "phone_not_attached",
                "message": "Your phone number could not be attached to this account. You can take part "
                "without it; an administrator can add it later.",
            }
        ],
    }
    assert user.phone is None
    assert User.objects.get(pk=owner.pk).phone == "13912345678"


def test_a_free_phone_is_attached_without_notices(api_client, linxia):
    response = api_client.post(REGISTER, _payload(linxia), format="json")

    assert response.status_code == 201
    assert "notices" not in response.json()
    assert User.objects.get(username="newcomer").phone == "13912345678"


def test_the_site_registers_with_a_taken_phone_and_says_so_neutrally_in_chinese(linxia):
    UserFactory(region=linxia["linxia_city"], phone="13912345678")
    body = _payload(linxia, password_confirm="Qx7!safety-June")

    response = Client().post("/accounts/register/", body, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "欢迎你，新人！注册成功。",
        "手机号未能绑定到此账号。不绑定手机号也可参加竞赛，之后可由管理员补充。",
    ]
    assert User.objects.get(username="newcomer").phone is None


# --- usernames ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("new comer", "invisible_character"),
        ("new\u3000comer", "invisible_character"),  # ideographic space
        ("admin\u202etxt", "invisible_character"),  # right-to-left override
        ("zhang\u200bsan", "invisible_character"),  # zero-width space
        ("zhang<san>", "invalid"),
        ("аdmin", "mixed_script"),  # Cyrillic а
        ("аdmіn", "mixed_script"),
        ("админ", None),  # Russian for admin: a word, not a look-alike
        ("аԁмі", None),
        ("ｒｏｏｔ", "reserved_username"),  # fullwidth
        ("ROOT", "reserved_username"),
        ("Administrator", "reserved_username"),
        ("adm1n", "reserved_username"),
        ("ad.min", "reserved_username"),
        ("гоот", "reserved_username"),  # all Cyrillic look-alikes of root
        ("ѕуѕтем", "reserved_username"),
        ("αdmιn", "mixed_script"),
        ("管理员", "reserved_username"),
        ("zhangsan2026", None),
        ("张三_2026", None),
        ("organizer_linxia", None),
    ],
)
def test_usernames_are_refused_by_shape(username, code):
    if code is None:
        validate_username(username)
        return
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_username(username)
    assert refused.value.error_list[0].code == code


def test_skeletons_fold_fullwidth_case_and_homoglyphs():
    assert name_skeleton("ＡＤＭＩＮ") == name_skeleton("аdmіn") == name_skeleton("admin") == "admln"


@pytest.mark.parametrize(
    ("username", "code"),
    [("new comer", "invisible_character"), ("аdmin", "mixed_script"), ("ａｄｍｉｎ", "reserved_username")],
)
def test_the_api_refuses_bad_usernames_and_creates_nothing(api_client, linxia, username, code):
    users_before = User.objects.count()

    response = api_client.post(REGISTER, _payload(linxia, username=username), format="json")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("username", code)]
    assert User.objects.count() == users_before


def test_a_fullwidth_username_is_stored_folded(api_client, linxia):
    response = api_client.post(REGISTER, _payload(linxia, username="ｚｈａｎｇ２０２６"), format="json")

    assert response.status_code == 201
    assert response.json()["username"] == "zhang2026"


def test_a_display_name_with_a_bidi_override_is_refused(api_client, linxia):
    response = api_client.post(REGISTER, _payload(linxia, display_name="新\u202e人"), format="json")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("display_name", "invisible_character")
    ]


def test_the_site_form_uses_the_same_username_rule(linxia):
    body = _payload(linxia, username="аdmin", password_confirm="Qx7!safety-June")

    response = Client().post("/accounts/register/", body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "Usernames may not mix Latin letters with Cyrillic or Greek ones."
    ]
    assert not User.objects.filter(username="аdmin").exists()


# --- password messages ----------------------------------------------------------------------------


def test_password_messages_are_chinese_for_chinese_registrants(api_client, linxia):
    response = api_client.post(
        REGISTER, _payload(linxia, password="1234"), format="json", HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )

    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"] if e["field"] == "password"] == [
        "密码太短，至少需要 8 个字符。",
        "这个密码太常见了。",
        "密码只包含数字。",
    ]


def test_password_messages_stay_english_for_english_registrants(api_client, linxia):
    response = api_client.post(
        REGISTER, _payload(linxia, password="1234"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert [e["message"] for e in response.json()["errors"] if e["field"] == "password"] == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
