"""Races through the real stack (services tier): two daphne processes on PostgreSQL and Redis, a
hundred clients released at once.

- A hundred duplicate submissions of one attempt (a phone retrying on a bad network, several tabs,
  a script) are scored exactly once, and every one of them answers the same result.
- Starts racing for the daily quota never get more attempts than the quota allows.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from quiz.models import Attempt, Participation
from tests.factories import UserFactory, competition_with_bank
from tests.reliability.helpers import Ledger, answers_for, assert_nothing_lost
from tests.support.clients import api, token_of
from tests.support.keys import private_leaderboard_keys
from tests.support.servers import daphne, server_env
from tests.support.threads import run_in_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(transactional_db, tmp_path):  # after the test database exists
    with private_leaderboard_keys() as prefix:
        # A bounded connection pool per process, as in production (docs/deployment.md): a hundred requests at
        # once would otherwise open a hundred PostgreSQL sessions on this shared machine.
        env = server_env(LEADERBOARD_KEY_PREFIX=prefix, DB_POOL_MAX_SIZE="8")
        with daphne(env, tmp_path / "a.log") as a, daphne(env, tmp_path / "b.log") as b:
            yield [a.url, b.url]


def test_a_hundred_parallel_duplicate_submissions_score_once_and_all_answer_the_same(linxia, servers):
    competition = competition_with_bank(questions=5)
    person = UserFactory(region=linxia["linxia_city"])
    token = token_of(person)
    with api(servers[0], token) as client:
        attempt = client.post(f"/api/v1/competitions/{competition.pk}/attempts/").json()
    body = {"answers": answers_for(attempt, 3)}
    clients = [api(servers[i % 2], token, timeout=120) for i in range(100)]

    try:
        responses = run_in_threads(
            100, lambda i: clients[i].post(f"/api/v1/attempts/{attempt['id']}/submit/", json=body)
        )
    finally:
        for client in clients:
            client.close()

    assert not [r for r in responses if not isinstance(r, httpx.Response)], "a request failed outright"
    assert Counter(r.status_code for r in responses) == {200: 100}
    results = [{k: v for k, v in r.json().items() if k != "server_time"} for r in responses]
    assert all(result == results[0] for result in results)  # the same result, review included
    assert (results[0]["score"], results[0]["correct_count"]) == (30, 3)
    participation = Participation.objects.get(user=person, competition=competition)
    assert (participation.submitted_attempts, participation.points) == (1, 30)
    ledger = Ledger()
    for response in responses:
        ledger.accept(response.json())
    with api(servers[1], token_of(linxia["admin"])) as admin:
        stats = admin.get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert_nothing_lost(ledger, competition.pk, stats=stats)


def test_parallel_starts_never_exceed_the_daily_quota(linxia, servers):
    competition = competition_with_bank(questions=5, attempts_per_day=3)
    people = [UserFactory(region=linxia["linxia_city"]) for _ in range(4)]
    tokens = [token_of(person) for person in people]

    def start_and_submit_until_refused(index: int) -> list[int]:
        """One of 25 clients per person, alternating between the two processes."""
        codes = []
        with api(servers[index % 2], tokens[index % 4], timeout=120) as client:
            for _ in range(10):
                started = client.post(f"/api/v1/competitions/{competition.pk}/attempts/")
                codes.append(started.status_code)
                if started.status_code == 429:
                    assert started.json()["code"] == "daily_limit_reached"
                    return codes
                assert started.status_code in (200, 201), started.text
                submitted = client.post(
                    f"/api/v1/attempts/{started.json()['id']}/submit/", json={"answers": []}
                )
                assert submitted.status_code == 200, submitted.text
        return codes

    results = run_in_threads(100, start_and_submit_until_refused, timeout=180)

    assert not [r for r in results if isinstance(r, Exception)], [
        r for r in results if isinstance(r, Exception)
    ][:3]
    assert all(codes[-1] == 429 for codes in results)  # everybody ends refused by the quota
    for person in people:
        assert Attempt.objects.filter(user=person, competition=competition).count() == 3
        assert Participation.objects.get(user=person, competition=competition).submitted_attempts == 3
    created = sum(codes.count(201) for codes in results)
    assert created == 3 * len(people)
