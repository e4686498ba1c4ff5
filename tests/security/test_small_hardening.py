"""Issue 13 point 8, the smaller holes: deep JSON, the daily quota's Retry-After."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from quiz.services.attempts import _seconds_to_next_quota_day

pytestmark = pytest.mark.django_db


def test_json_nested_beyond_the_recursion_limit_is_a_400_parse_error(linxia):
    response = APIClient(raise_request_exception=False).generic(
        "POST", "/api/v1/auth/token/", "[" * 100_000, content_type="application/json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_seconds_to_the_next_shanghai_midnight():
    shanghai = ZoneInfo("Asia/Shanghai")

    assert _seconds_to_next_quota_day(now=datetime(2026, 6, 1, 23, 59, 30, tzinfo=shanghai)) == 30
    assert _seconds_to_next_quota_day(now=datetime(2026, 6, 1, 15, 0, tzinfo=ZoneInfo("UTC"))) == 3600 * 1


def test_the_daily_limit_answer_says_when_to_come_back(participant, make_client):
    from tests.factories import CompetitionFactory, make_bank

    competition = CompetitionFactory(
        banks=[make_bank(singles=6)], questions_per_attempt=3, attempts_per_day=1
    )
    client = make_client(participant)
    url = f"/api/v1/competitions/{competition.pk}/attempts/"
    attempt = client.post(url).json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}, format="json")

    refused = client.post(url)

    assert (refused.status_code, refused.json()["code"]) == (429, "daily_limit_reached")
    assert 1 <= int(refused["Retry-After"]) <= 86400
