"""Requests that waited too long in the queue are shed, unworked (core/middleware.py).

nginx stamps `X-Request-Start: t=<seconds.millis>` when it takes a request; Django answers 503
`server_busy` with Retry-After to one that waited longer than REQUEST_QUEUE_LIMIT_SECONDS, in the
caller's language, before any view runs. Without the header, with a header that is not a time, or
for the health checks, nothing is refused.
"""

import time

import pytest
from django.test import override_settings

from quiz.models import Attempt
from tests.factories import UserFactory, competition_with_bank
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _stamp(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


@pytest.fixture
def participant(linxia):
    return UserFactory(region=linxia["dongxiang"])


def test_a_stale_start_is_refused_at_once_and_creates_nothing(participant):
    competition = competition_with_bank()
    client = client_for(participant)

    response = client.post(
        f"/api/v1/competitions/{competition.pk}/attempts/",
        HTTP_X_REQUEST_START=_stamp(25),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 503
    assert response.json() == {
        "detail": "系统繁忙，请几秒后重试；您填写的内容不会丢失。",
        "code": "server_busy",
    }
    assert response["Retry-After"] == "5"
    assert response["X-Content-Type-Options"] == "nosniff"  # the security headers still apply
    assert not Attempt.objects.filter(user=participant).exists()

    # The same request, not stale, goes through.
    fresh = client.post(f"/api/v1/competitions/{competition.pk}/attempts/", HTTP_X_REQUEST_START=_stamp(0.2))
    assert fresh.status_code == 201
    assert Attempt.objects.filter(user=participant).count() == 1


def test_the_message_follows_the_caller_s_language(participant):
    response = client_for(participant).get(
        "/api/v1/me/", HTTP_X_REQUEST_START=_stamp(11), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The server is busy.")


@pytest.mark.parametrize(
    "header",
    [None, "", "t=", "t=abc", "t=nan", "t=inf", "12345.6", "t=-1e309", "t=1e400"],
    ids=["absent", "empty", "no-time", "text", "nan", "inf", "no-prefix", "minus-huge", "huge"],
)
def test_a_missing_or_unreadable_stamp_refuses_nothing(participant, header):
    extra = {} if header is None else {"HTTP_X_REQUEST_START": header}
    assert client_for(participant).get("/api/v1/me/", **extra).status_code == 200


def test_a_stamp_from_the_future_refuses_nothing(participant):
    assert client_for(participant).get("/api/v1/me/", HTTP_X_REQUEST_START=_stamp(-60)).status_code == 200


def test_just_under_the_limit_passes_and_just_over_is_refused(participant, settings):
    client = client_for(participant)
    assert client.get("/api/v1/me/", HTTP_X_REQUEST_START=_stamp(9.5)).status_code == 200
    assert client.get("/api/v1/me/", HTTP_X_REQUEST_START=_stamp(10.5)).status_code == 503


@pytest.mark.parametrize("path", ["/api/v1/health/", "/api/v1/ready/"])
def test_health_checks_are_never_refused(client, path):
    assert client.get(path, HTTP_X_REQUEST_START=_stamp(600)).status_code == 200


def test_a_page_gets_a_short_page_that_comes_back_by_itself(client):
    response = client.get("/", HTTP_X_REQUEST_START=_stamp(30), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in body
    assert "系统繁忙" in body


def test_a_limit_of_zero_refuses_nothing(participant):
    # The limit is read when the middleware is built: a new handler per request in the test client.
    with override_settings(REQUEST_QUEUE_LIMIT_SECONDS=0):
        response = client_for(participant).get("/api/v1/me/", HTTP_X_REQUEST_START=_stamp(3600))
    assert response.status_code == 200


def test_refusals_are_logged_in_summaries_not_one_line_each(participant, caplog, monkeypatch):
    from core import middleware

    monkeypatch.setattr(middleware, "_shed", {"count": 0, "longest": 0.0, "logged_at": 0.0})
    client = client_for(participant)
    with caplog.at_level("WARNING", logger="core.middleware"):
        for _ in range(5):
            assert client.get("/api/v1/me/", HTTP_X_REQUEST_START=_stamp(12)).status_code == 503
    lines = [r.getMessage() for r in caplog.records if r.name == "core.middleware"]
    assert len(lines) == 1 and lines[0].startswith("Overloaded: 1 request(s)")
    assert not [r for r in caplog.records if r.name == "django.request"]  # not one line per refusal
    assert middleware._shed["count"] == 4  # the next report carries the other four


def test_a_form_sent_to_a_page_is_not_reloaded_but_sent_back(client):
    response = client.post(
        "/accounts/login/", {"username": "x"}, HTTP_X_REQUEST_START=_stamp(30), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 503
    body = response.content.decode()
    assert "refresh" not in body  # a reload would drop what was typed
    assert "系统繁忙，请返回上一页，几秒后重新提交。" in body
