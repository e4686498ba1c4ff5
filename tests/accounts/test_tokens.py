"""API tokens: revoked by log-out, rotated by a password change, dead with a deactivated account,
expired after TOKEN_TTL_HOURS unused and renewed quietly while in use."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.tokens import token_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token(api_client, username: str = "zhangsan", password: str = "Safety@2026") -> str:
    return api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    ).json()["token"]


def test_logout_revokes_the_token(linxia, api_client):
    key = _token(api_client)

    logout = _client(key).post("/api/v1/auth/logout/")
    after = _client(key).get(ME, HTTP_ACCEPT_LANGUAGE="en")

    assert logout.status_code == 204
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert _token(api_client) != key  # logging in again issues a new one


def test_logout_without_a_login_is_401(api_client):
    assert api_client.post("/api/v1/auth/logout/").status_code == 401


def test_a_password_change_rotates_the_token(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    user = User.objects.get(username="zhangsan")
    user.set_password("Another@2026x")
    user.save()

    assert _client(key).get(ME).status_code == 401
    assert _token(api_client, password="Another@2026x") not in ("", key)


def test_deactivation_invalidates_the_token_for_http_and_websocket(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    user = User.objects.get(username="zhangsan")
    user.is_active = False
    user.save()

    assert _client(key).get(ME).status_code == 401
    assert not Token.objects.filter(key=key).exists()
    assert token_user(key=key) is None  # what the WebSocket's ?token= uses


def test_saving_a_user_without_touching_password_or_activity_keeps_the_token(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    user = User.objects.get(username="zhangsan")
    user.display_name = "张三丰"
    user.save()

    assert _client(key).get(ME).status_code == 200


@override_settings(TOKEN_TTL_HOURS=24)
def test_an_unused_token_expires_and_the_next_log_in_issues_a_new_one(linxia, api_client):
    key = _token(api_client)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=25))

    expired = _client(key).get(ME, HTTP_ACCEPT_LANGUAGE="en")
    fresh = _token(api_client)

    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
    assert token_user(key=key) is None  # what the WebSocket's ?token= uses
    assert fresh != key
    assert _client(fresh).get(ME).status_code == 200


@override_settings(TOKEN_TTL_HOURS=24)
def test_a_token_in_use_is_renewed_quietly(linxia, api_client):
    key = _token(api_client)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=13))

    assert _client(key).get(ME).status_code == 200

    renewed = Token.objects.get(key=key).created
    assert timezone.now() - renewed < timedelta(minutes=1)
