"""Hardening: throttles answer 429 with Retry-After, CSRF guards session writes, cookies and headers."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core.throttles import LoginThrottle, RegisterThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_login_rate(monkeypatch):
    # DRF reads the rates once at import; patch the class attribute for this test only.
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "3/min"})
    monkeypatch.setattr(RegisterThrottle, "THROTTLE_RATES", {"register": "2/min"})


def test_token_login_is_throttled_with_retry_after(api_client, linxia, tight_login_rate):
    statuses = [
        api_client.post("/api/v1/auth/token/", {"username": "zhangsan", "password": "wrong-pass-1"}, format="json").status_code
        for _ in range(3)
    ]
    throttled = api_client.post("/api/v1/auth/token/", {"username": "zhangsan", "password": "Safety@2026"}, format="json")

    assert statuses == [400, 400, 400]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 60


def test_registration_is_throttled(api_client, linxia, tight_login_rate):
    for _ in range(2):
        api_client.post("/api/v1/auth/register/", {}, format="json")

    response = api_client.post("/api/v1/auth/register/", {}, format="json")

    assert response.status_code == 429
    assert "Retry-After" in response


def test_session_authenticated_api_write_needs_csrf(linxia):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(linxia["admin"])

    response = client.patch(
        f"/api/v1/users/{linxia['organizer'].pk}/", {"role": "participant"}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_login_form_needs_csrf(linxia):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})

    assert response.status_code == 403


@override_settings(
    SECURE_CONTENT_TYPE_NOSNIFF=True,
    SECURE_REFERRER_POLICY="same-origin",
    X_FRAME_OPTIONS="DENY",
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_security_headers_are_sent(client):
    response = client.get("/api/v1/health/", HTTP_X_FORWARDED_PROTO="https")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
