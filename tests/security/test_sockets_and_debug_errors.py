"""Issue 13 point 8: scripts open `?token=` sockets without `Origin`, a non-JSON frame answers an
error frame, and under DEBUG `/api/` errors are JSON too. Sockets through the real ASGI stack."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from config.asgi import application
from tests.factories import competition_with_bank

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def competition(linxia, settings):
    # The test settings allow every host (and so every origin, even none): use a real site's list.
    settings.ALLOWED_HOSTS = ["testserver"]
    return competition_with_bank()


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


async def _open(path: str, headers: list) -> tuple[WebsocketCommunicator, bool, object]:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_a_token_script_without_origin_gets_its_stats(linxia, competition):
    key = await database_sync_to_async(_token)(linxia["admin"])
    communicator, connected, _code = await _open(f"/ws/competitions/{competition.pk}/live/?token={key}", [])
    try:
        assert connected
        first = await communicator.receive_json_from(timeout=5)
    finally:
        await communicator.disconnect()
    assert first["type"] == "stats"


async def test_a_socket_from_another_site_is_refused_even_with_a_token(linxia, competition):
    key = await database_sync_to_async(_token)(linxia["admin"])
    communicator, connected, code = await _open(
        f"/ws/competitions/{competition.pk}/live/?token={key}", [(b"origin", b"http://evil.example")]
    )
    await communicator.disconnect()
    assert (connected, code) == (False, 1000)  # refused at the handshake (WebsocketDenier)


async def test_a_cookie_socket_without_origin_is_still_refused(linxia, competition):
    client = await database_sync_to_async(Client)()
    await database_sync_to_async(client.force_login)(linxia["admin"])
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    without_origin = await _open(f"/ws/competitions/{competition.pk}/live/", [(b"cookie", cookie)])
    with_origin = await _open(f"/ws/competitions/{competition.pk}/live/", [(b"cookie", cookie), ORIGIN])
    try:
        first = await with_origin[0].receive_json_from(timeout=5)
    finally:
        await without_origin[0].disconnect()
        await with_origin[0].disconnect()
    assert without_origin[1:] == (False, 1000)  # refused at the handshake (WebsocketDenier)
    assert with_origin[1] is True
    assert first["type"] == "stats"


async def test_a_bad_token_without_origin_cannot_ride_a_session_cookie(linxia, competition):
    client = await database_sync_to_async(Client)()
    await database_sync_to_async(client.force_login)(linxia["admin"])
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    communicator, connected, _code = await _open(
        f"/ws/competitions/{competition.pk}/live/?token=nope", [(b"cookie", cookie)]
    )
    try:
        message = await communicator.receive_json_from(timeout=5)
        close = await communicator.receive_output(timeout=5)
    finally:
        await communicator.disconnect()
    assert connected
    assert message["code"] == "not_authenticated"
    assert close == {"type": "websocket.close", "code": 4401}


@pytest.mark.parametrize(
    ("frame", "language", "detail"),
    [
        ({"text_data": "not json"}, "en", 'Messages must be JSON text, such as {"type": "ping"}.'),
        ({"text_data": "[" * 100_000}, "en", 'Messages must be JSON text, such as {"type": "ping"}.'),
        ({"bytes_data": b"\x00\x01"}, "zh-hans", '消息须为 JSON 文本，例如 {"type": "ping"}。'),
    ],
)
async def test_a_frame_that_is_not_json_answers_an_error_frame_and_the_socket_stays(
    linxia, competition, frame, language, detail
):
    key = await database_sync_to_async(_token)(linxia["admin"])
    communicator, connected, _code = await _open(
        f"/ws/competitions/{competition.pk}/live/?token={key}&lang={language}", [ORIGIN]
    )
    try:
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "stats"
        if "text_data" in frame:
            await communicator.send_to(text_data=frame["text_data"])
        else:
            await communicator.send_to(bytes_data=frame["bytes_data"])
        error = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "ping"})
        pong = await communicator.receive_json_from(timeout=5)
    finally:
        await communicator.disconnect()
    assert error == {"type": "error", "code": "invalid_message", "detail": detail}
    assert pong == {"type": "pong"}


# --- DEBUG ----------------------------------------------------------------------------------------


def test_under_debug_an_api_path_without_a_route_is_a_json_404(settings):
    settings.DEBUG = True

    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_under_debug_a_server_fault_under_api_is_a_json_500(settings, monkeypatch):
    from core import apis

    settings.DEBUG = True

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(apis.HealthApi, "get", broken)

    response = Client(raise_request_exception=False).get("/api/v1/health/", HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json() == {"detail": "A server error occurred. Please try again.", "code": "server_error"}


def test_under_debug_a_body_over_the_limit_under_api_is_a_json_400(settings, linxia):
    settings.DEBUG = True
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token/", "x" * 5000, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (response.status_code, response.json()["code"]) == (400, "request_too_large")


def test_under_debug_pages_outside_the_api_keep_djangos_technical_404(settings):
    settings.DEBUG = True

    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
