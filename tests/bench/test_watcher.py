"""The dashboard watcher (bench/loadgen.py run_ws) against a small aiohttp WebSocket server."""

import asyncio
import json
import time

from aiohttp import web

from bench.loadgen import Recorder, run_ws


async def _serve(messages_per_socket: int, close_index_token: str):
    """Each socket gets `messages_per_socket` stats messages 50 ms apart, then stays open; the socket
    whose token is `close_index_token` is closed by the server after its first message."""

    async def live(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "stats", "attempts": 0, "regions": []}))
        if request.query.get("token") == close_index_token:
            await ws.close(code=4000)
            return ws
        for n in range(1, messages_per_socket + 1):
            await asyncio.sleep(0.05)
            await ws.send_str(json.dumps({"type": "stats", "attempts": n}))
        async for _message in ws:
            pass
        return ws

    app = web.Application()
    app.router.add_get("/ws/competitions/1/live/", live)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


async def test_the_watcher_logs_parsed_messages_counts_a_server_close_and_stops_on_the_stop_file(tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"admins": ["a", "b", "c", "gone"]}))
    stop_file = tmp_path / "stop"
    runner, port = await _serve(messages_per_socket=3, close_index_token="gone")
    spec = {
        "base_url": f"http://127.0.0.1:{port}",
        "token_file": str(tokens),
        "token_key": "admins",
        "competition": 1,
        "dashboards": 8,
        "duration": 60,
        "stop_file": str(stop_file),
    }
    recorder = Recorder()
    try:
        watching = asyncio.create_task(run_ws(spec, recorder))
        await asyncio.sleep(1.0)
        stop_file.touch()
        stopped_at = time.perf_counter()
        await asyncio.wait_for(watching, timeout=10)
        took = time.perf_counter() - stopped_at
    finally:
        await runner.cleanup()
    extra = recorder.extra
    assert extra["connected"] == 8
    assert sorted(extra["closed_early"]) == [3, 7]  # the two sockets with the token "gone"
    assert recorder.errors == {"closed_early:4000": 2}
    for index, log in enumerate(extra["messages"]):
        expected = [0] if index in (3, 7) else [0, 1, 2, 3]
        assert [attempts for _at, attempts in log] == expected
        assert all(isinstance(at, float) for at, _attempts in log)
    assert took < 1.5  # the stop file is noticed within a fraction of a second
