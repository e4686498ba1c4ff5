"""Redis going away (services tier): submissions still succeed, dashboards say live updates are
paused, and the figures come back exact. Uses a private redis-server on a free port (never 6379)."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from config.asgi import application
from core import redis as redis_client
from leaderboard.services import leaderboard_catch_up
from quiz.models import Attempt, AttemptScoredOutbox
from tests.factories import AttemptFactory, UserFactory, competition_with_bank
from tests.support.servers import PrivateRedis, free_port

pytestmark = pytest.mark.services


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


def _stats(user, competition_id: int) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/competitions/{competition_id}/stats/").json()


@pytest.mark.django_db
def test_submissions_succeed_while_redis_is_unreachable_and_figures_come_back_exact(
    linxia, private_redis, settings
):
    competition = competition_with_bank()
    person = UserFactory(region=linxia["linxia_city"])
    AttemptFactory(user=person, competition=competition, correct=1)

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # Redis unreachable, its data kept
    started = time.monotonic()
    for score in (20, 30):
        AttemptFactory(
            user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=score // 10
        )
    hook_seconds = time.monotonic() - started
    assert Attempt.objects.filter(competition=competition, status="submitted").count() == 3
    # The two hooks failed: their outbox rows wait for a process that reaches Redis (beside the
    # first one's, recorded, which waits for the catch-up pass to see that).
    assert AttemptScoredOutbox.objects.filter(competition=competition).count() == 3
    # Reads fall back to the database meanwhile: exact, just slower.
    assert _stats(linxia["admin"], competition.pk)["points"] == 60

    settings.REDIS_URL = private_redis.url  # back, with the stale figures of before the outage
    stale = redis_client.get_client().hget(f"{settings.LEADERBOARD_KEY_PREFIX}:{competition.pk}:tot", "p")
    assert stale == "10"
    assert leaderboard_catch_up() == 2  # what every server process runs every few seconds
    AttemptFactory(user=person, competition=competition, correct=4)

    stats = _stats(linxia["admin"], competition.pk)
    assert (stats["participants"], stats["attempts"], stats["points"]) == (3, 4, 100)
    assert leaderboard_catch_up() == 0  # the last one's row: recorded by its hook already
    assert not AttemptScoredOutbox.objects.exists()
    assert hook_seconds < 2.0  # a dead Redis fails the hook fast


@pytest.mark.django_db
def test_rebuild_leaderboards_repairs_what_an_outage_missed(linxia, private_redis, settings):
    from django.core.management import call_command

    competition = competition_with_bank()
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=1)
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=2)
    settings.REDIS_URL = private_redis.url
    call_command("rebuild_leaderboards", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stats = _stats(linxia["organizer"], competition.pk)
    assert (stats["participants"], stats["attempts"], stats["points"]) == (2, 2, 30)


async def _next(communicator: WebsocketCommunicator, timeout: float = 8.0) -> dict:
    return await communicator.receive_json_from(timeout=timeout)


@pytest.mark.django_db(transaction=True)
async def test_dashboard_says_paused_while_redis_is_down_and_catches_up_after(
    linxia, private_redis, settings
):
    settings.LIVE_BROADCAST_INTERVAL_SECONDS = 0.3
    competition = await database_sync_to_async(competition_with_bank)()
    make_person = database_sync_to_async(lambda: UserFactory(region=linxia["linxia_city"]))
    submit = database_sync_to_async(AttemptFactory)
    await submit(user=await make_person(), competition=competition, correct=1)
    token = await database_sync_to_async(lambda: linxia["admin"].auth_token.key)()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/competitions/{competition.pk}/live/?token={token}&lang=en",
        headers=[(b"origin", b"http://testserver")],
    )
    await communicator.connect()
    try:
        first = await _next(communicator)
        await asyncio.to_thread(private_redis.stop)
        paused = await _next(communicator)
        await submit(user=await make_person(), competition=competition, correct=2)  # must not raise
        await asyncio.to_thread(private_redis.start)  # back empty, as after a crash
        resumed = await _next(communicator)
        figures = await _next(communicator)
    finally:
        await communicator.disconnect()
    assert first["points"] == 10
    assert paused == {
        "type": "status",
        "live": False,
        "code": "live_paused",
        "detail": "Live updates paused: the live store is not answering. Figures will catch up.",
    }
    assert resumed["type"] == "status" and resumed["live"] is True
    assert (figures["type"], figures["participants"], figures["attempts"], figures["points"]) == (
        "stats",
        2,
        2,
        30,
    )
