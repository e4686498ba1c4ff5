"""Redis stopped in the middle of a stream of submissions (services tier).

A daphne process serves the API with its cache (throttles) and live leaderboard
on a redis-server of the test's own. Participants start and submit through HTTP while an
organizer's dashboard socket is open; a third of the way Redis is killed, two thirds of the way
it comes back empty (as after a crash). Submissions keep succeeding throughout, the socket says
"paused" and then "live" again, and the live figures equal the database exactly: first by the
store's own recovery, then again after `manage.py rebuild_leaderboards`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
import websockets
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from leaderboard import catalog
from tests.factories import UserFactory, competition_with_bank
from tests.reliability.helpers import Ledger, answers_for, assert_nothing_lost
from tests.support.clients import api, token_of
from tests.support.keys import private_leaderboard_keys
from tests.support.servers import daphne, private_redis, server_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PEOPLE_PER_PHASE = 8


class SocketLog:
    """Every message a dashboard socket receives, collected by a thread of its own."""

    def __init__(self, url: str, origin: str) -> None:
        self.url, self.origin = url, origin
        self.messages: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        async with websockets.connect(self.url, origin=self.origin) as socket:
            while not self.stop.is_set():
                try:
                    self.messages.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=0.2)))
                except TimeoutError:
                    continue

    def __enter__(self) -> SocketLog:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    def wait_for(self, predicate, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for message in self.messages[seen:]:
                if predicate(message):
                    return message
            seen = len(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"no such message; got {self.messages[-5:]}")


def _submit_as(base: str, token: str, competition_id: int, correct: int, ledger: Ledger) -> None:
    with api(base, token) as client:
        started = client.post(f"/api/v1/competitions/{competition_id}/attempts/")
        assert started.status_code == 201, started.text
        attempt = started.json()
        submitted = client.post(
            f"/api/v1/attempts/{attempt['id']}/submit/", json={"answers": answers_for(attempt, correct)}
        )
        assert submitted.status_code == 200, submitted.text
        ledger.accept(submitted.json())


def test_submissions_survive_redis_going_away_and_the_figures_come_back_exact(linxia, settings, tmp_path):
    competition = competition_with_bank(questions=5)
    counties = [linxia["linxia_city"], linxia["dongxiang"]]
    people = [UserFactory(region=counties[n % 2]) for n in range(3 * PEOPLE_PER_PHASE)]
    tokens = [token_of(person) for person in people]
    admin_token = Token.objects.get_or_create(user=linxia["admin"])[0].key
    ledger = Ledger()

    with private_redis() as redis, private_leaderboard_keys() as prefix:
        settings.REDIS_URL = redis.url  # this process (rebuild, stats below) uses the same Redis
        env = server_env(
            REDIS_URL=redis.url, LEADERBOARD_KEY_PREFIX=prefix, LIVE_BROADCAST_INTERVAL_SECONDS="0.3"
        )
        with daphne(env, tmp_path / "daphne.log") as server:
            ws_url = (
                server.url.replace("http", "ws")
                + f"/ws/competitions/{competition.pk}/live/?token={admin_token}"
            )
            with SocketLog(ws_url, server.url) as socket:
                socket.wait_for(lambda m: m["type"] == "stats")
                phases = [people[i * PEOPLE_PER_PHASE : (i + 1) * PEOPLE_PER_PHASE] for i in range(3)]

                for n, person in enumerate(phases[0]):
                    _submit_as(server.url, tokens[people.index(person)], competition.pk, n % 5 + 1, ledger)
                socket.wait_for(lambda m: m["type"] == "stats" and m["attempts"] == PEOPLE_PER_PHASE)

                redis.stop()  # fault 1: Redis gone mid-stream
                paused = socket.wait_for(lambda m: m["type"] == "status" and m["live"] is False)
                for n, person in enumerate(phases[1]):
                    _submit_as(server.url, tokens[people.index(person)], competition.pk, n % 5 + 1, ledger)

                redis.start()  # back, empty: everything it held is lost
                resumed = socket.wait_for(lambda m: m["type"] == "status" and m["live"] is True)
                for n, person in enumerate(phases[2]):
                    _submit_as(server.url, tokens[people.index(person)], competition.pk, n % 5 + 1, ledger)
                total = 3 * PEOPLE_PER_PHASE
                last = socket.wait_for(lambda m: m["type"] == "stats" and m["attempts"] == total, timeout=30)

            with api(server.url, admin_token) as client:
                recovered = client.get(f"/api/v1/competitions/{competition.pk}/stats/").json()
                ranking = client.get(
                    f"/api/v1/competitions/{competition.pk}/leaderboard/", params={"limit": total}
                ).json()
                catalog.invalidate_region_catalog()
                call_command("rebuild_leaderboards", stdout=open("/dev/null", "w"))  # noqa: SIM115
                rebuilt = client.get(f"/api/v1/competitions/{competition.pk}/stats/").json()
                rebuilt_ranking = client.get(
                    f"/api/v1/competitions/{competition.pk}/leaderboard/", params={"limit": total}
                ).json()

    assert len(ledger.accepted) == total  # every submission was accepted, Redis or not
    assert paused["code"] == "live_paused" and resumed["code"] == "live"
    assert_nothing_lost(ledger, competition.pk, stats=last)  # the socket's last figures
    assert_nothing_lost(ledger, competition.pk, stats=recovered)  # the store's own recovery
    assert_nothing_lost(ledger, competition.pk, stats=rebuilt)  # and after rebuild_leaderboards
    expected_order = _ranking_from_database(competition.pk)
    assert [(e["id"], e["points"]) for e in ranking["entries"]] == expected_order
    assert [(e["id"], e["points"]) for e in rebuilt_ranking["entries"]] == expected_order
    print(
        f"\nredis fault: {total} submissions accepted, 2 faults (kill, empty restart), "
        f"{len(socket.messages)} socket messages"
    )


def _ranking_from_database(competition_id: int) -> list[tuple[int, int]]:
    """Individuals by points, then best score, then who got there first (docs/api.md)."""
    from quiz.models import Participation

    rows = Participation.objects.filter(competition_id=competition_id, submitted_attempts__gt=0).order_by(
        "-points", "-best_score", "points_reached_at", "user_id"
    )
    return [(row.user_id, row.points) for row in rows]
