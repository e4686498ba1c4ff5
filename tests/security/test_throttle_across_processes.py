"""Throttles hold across server processes (services tier): they count in the shared cache (Redis),
so a client spreading its tries over two daphne processes is stopped at the same limit."""

import httpx
import pytest

from tests.factories import UserFactory, competition_with_bank
from tests.support.clients import token_of
from tests.support.servers import daphne, server_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    # One environment for both: the same Redis and the same cache prefix, as two processes of one site.
    env = server_env(THROTTLE_LOGIN="4/min", THROTTLE_ATTEMPT_START="4/min")
    with daphne(env, tmp_path / "a.log") as a, daphne(env, tmp_path / "b.log") as b:
        yield a.url, b.url


def test_token_tries_spread_over_two_processes_are_throttled_at_the_limit(linxia, two_servers):
    answers = [
        httpx.post(
            f"{two_servers[n % 2]}/api/v1/auth/token/",
            json={"username": "zhangsan", "password": "wrong-pass"},
            timeout=30,
        )
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429, 429]
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in answers[4:])


def test_attempt_starts_spread_over_two_processes_are_throttled_at_the_limit(linxia, two_servers):
    competition = competition_with_bank(questions=5, attempts_per_day=10)
    headers = {"Authorization": f"Token {token_of(UserFactory(region=linxia['linxia_city']))}"}

    answers = [
        httpx.post(
            f"{two_servers[n % 2]}/api/v1/competitions/{competition.pk}/attempts/",
            headers=headers,
            timeout=30,
        )
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [201, 200, 200, 200, 429, 429]
    assert {a.json()["code"] for a in answers[4:]} == {"throttled"}
