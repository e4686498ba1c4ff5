"""Two daphne processes sharing PostgreSQL and Redis (services tier): a dashboard socket on one
receives the update caused by a submission made through the other."""

import asyncio
import json
import time

import httpx
import pytest
import websockets
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory, competition_with_bank
from tests.support.servers import daphne

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _submit_through(base: str, token: str, competition_id: int) -> dict:
    """Start and submit an attempt through the public API, answering every question with B."""
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        started = client.post(f"/api/v1/competitions/{competition_id}/attempts/")
        assert started.status_code == 201, started.text
        attempt = started.json()
        answers = [{"question": q["id"], "selected": ["B"]} for q in attempt["questions"]]
        submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", json={"answers": answers})
        assert submitted.status_code == 200, submitted.text
        return submitted.json()


async def _receive_stats(socket, timeout: float) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=timeout))
        if message["type"] == "stats":
            return message


def test_a_dashboard_on_one_process_sees_a_submission_through_another(linxia, settings, tmp_path):
    settings.LIVE_BROADCAST_INTERVAL_SECONDS = 0.5
    competition = competition_with_bank(questions=5)
    unit = linxia["linxia_city"].organizations.order_by("id").first()
    person = UserFactory(region=linxia["linxia_city"], organization=unit)
    organizer_token = Token.objects.get(user=linxia["organizer"]).key
    person_token = Token.objects.get(user=person).key

    with (
        daphne(log_path=tmp_path / "a.log") as first,
        daphne(log_path=tmp_path / "b.log") as second,
    ):
        server_a, server_b = first.url, second.url

        async def scenario():
            ws_url = (
                server_a.replace("http", "ws")
                + f"/ws/competitions/{competition.pk}/live/?token={organizer_token}"
            )
            async with websockets.connect(ws_url, origin=server_a) as socket:
                first = await _receive_stats(socket, timeout=10)
                sent = time.monotonic()
                result = await asyncio.to_thread(_submit_through, server_b, person_token, competition.pk)
                update = await _receive_stats(socket, timeout=5)
                return first, result, update, time.monotonic() - sent

        first, result, update, lag = asyncio.run(scenario())

    assert (first["participants"], first["attempts"], first["points"]) == (0, 0, 0)
    assert result["score"] == 50
    assert (update["participants"], update["attempts"], update["points"]) == (1, 1, 50)
    assert update["regions"][0]["code"] == "622901" and update["regions"][0]["points"] == 50
    assert lag < 3.0
    print(f"submission through B to update on A: {lag:.2f} s")
