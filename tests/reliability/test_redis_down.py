"""Requests while Redis does not answer, and what a Redis that lost its data gives back.

The first test needs no Redis at all (a Redis cache pointed at a port where nothing listens), so it
runs in the default tier; the second uses a redis-server of its own (services tier).
"""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.factories import AttemptFactory, CompetitionFactory, UserFactory, competition_with_bank, make_bank
from tests.support.servers import free_port, private_redis

DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
    }
}


@pytest.mark.django_db
def test_throttled_requests_still_work_while_the_cache_is_down(linxia, participant, make_client):
    competition = CompetitionFactory(banks=[make_bank(singles=6)], questions_per_attempt=3)
    register = {"username": "newcomer", "password": "Quiz-Safety-2026", "region": linxia["linxia_city"].pk}

    with override_settings(CACHES=DEAD_CACHE):  # the throttles count in this cache: Redis is "down"
        started = make_client(participant).post(f"/api/v1/competitions/{competition.pk}/attempts/")
        token = APIClient().post(
            "/api/v1/auth/token/", {"username": "zhangsan", "password": "Safety@2026"}, format="json"
        )
        registered = APIClient().post("/api/v1/auth/register/", register, format="json")
        site_login = Client().post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})
        site_failure = Client().post("/accounts/login/", {"username": "zhangsan", "password": "wrong"})

    assert (started.status_code, token.status_code, registered.status_code) == (201, 200, 201)
    assert (site_login.status_code, site_failure.status_code) == (302, 200)


@pytest.mark.services
@pytest.mark.django_db
def test_the_timeline_comes_back_exact_when_redis_lost_its_data(linxia, settings):
    competition = competition_with_bank()
    with private_redis() as redis:
        settings.REDIS_URL = redis.url
        for score in (10, 20, 30):
            AttemptFactory(
                user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=score // 10
            )
        client = APIClient()
        client.force_authenticate(linxia["admin"])
        url = f"/api/v1/competitions/{competition.pk}/stats/timeline/"
        before = client.get(url).json()["points"]

        redis.stop()
        redis.start()  # empty, as after a crash without persistence
        after = client.get(url).json()["points"]  # the first read after the loss

    assert before[-1]["attempts"] == 3
    assert after == before
