"""Load generator of the benchmark: one process, asyncio + aiohttp on uvloop, loopback only.

Run by bench/run.py as `python -m bench.loadgen SPEC.json RESULT.json`; the spec says what to do:

- `get`: closed loop, `concurrency` workers GET `paths` round-robin for `duration` seconds, with
  the tokens from `token_offset` on (all of them, or the first `token_count`) in turn.
- `cycle`: closed loop, each worker starts an attempt and submits it with every answer.
- `cycle_rate`: open loop, a new start-and-submit cycle every 1/`rate` seconds for `duration`.
- `crowd`: `participants` arrive over `ramp` seconds; each starts an attempt, answers one
  question every `think` seconds (saving each answer when the endpoint exists) and submits once.
- `ws`: `dashboards` sockets on the live endpoint; records every message until `duration` ends
  or the `stop_file` appears.

Every loop is bounded by `duration` and `max_requests` (and a hard per-request timeout), so a
generator always stops by itself. Only 127.0.0.1/localhost URLs are accepted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import aiohttp

REQUEST_TIMEOUT = 30.0
# A crowd's participant meets a 503 (core/middleware.py sheds requests that queued too long) the way
# the quiz page does: waits the server's Retry-After and sends the request again.
BUSY_PAUSE = 5.0
BUSY_RETRIES = 6


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load {host!r}: the benchmark only targets the loopback interface")


def answers_for(questions: list[dict]) -> list[dict]:
    """One answer per question: the first option (and the second too for a multiple choice)."""
    answers = []
    for question in questions:
        keys = [option["key"] for option in question.get("options", [])] or ["A", "B"]
        selected = keys[:2] if question.get("type") == "multiple" and len(keys) > 1 else keys[:1]
        answers.append({"question": question["id"], "selected": selected})
    return answers


class Recorder:
    """Latencies per label (ms), successes and errors per label:status, bounded sample count."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.ok: Counter = Counter()
        self.errors: Counter = Counter()
        self.extra: dict = {}
        self.requests = 0

    def record(self, label: str, started: float, status: int | str) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        self.requests += 1
        if isinstance(status, int) and 200 <= status < 300:
            self.latencies.setdefault(label, []).append(round(elapsed_ms, 3))
            self.ok[label] += 1
        else:
            self.errors[f"{label}:{status}"] += 1


class Client:
    def __init__(self, spec: dict, recorder: Recorder, session: aiohttp.ClientSession) -> None:
        self.base = spec["base_url"].rstrip("/")
        self.recorder = recorder
        self.session = session
        self.language = spec.get("language", "zh-hans")

    async def call(self, label: str, method: str, path: str, token: str | None = None, body=None):
        """One request; returns (status, parsed JSON or None). Never raises for HTTP/network errors."""
        headers = {"Accept-Language": self.language}
        if token:
            headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        started = time.perf_counter()
        try:
            async with self.session.request(method, self.base + path, data=data, headers=headers) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError:
            self.recorder.record(label, started, "timeout")
            return None, None
        except aiohttp.ClientError as exc:
            self.recorder.record(label, started, type(exc).__name__)
            return None, None
        self.recorder.record(label, started, status)
        payload = None
        if raw and raw[:1] in (b"{", b"["):
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
        return status, payload

    async def call_until_served(self, label: str, method: str, path: str, token: str, body=None):
        """`call`, but as the quiz page does it: a 503 (a shed or briefly unavailable server) is
        tried again after the Retry-After pause, up to BUSY_RETRIES times; each 503 is recorded."""
        for _ in range(BUSY_RETRIES):
            status, payload = await self.call(label, method, path, token, body)
            if status != 503:
                return status, payload
            await asyncio.sleep(BUSY_PAUSE)
        return await self.call(label, method, path, token, body)

    async def cycle(
        self, competition: int, token: str, save_answers: bool = False, think=None
    ) -> dict | None:
        """Start (or resume) an attempt, optionally save each answer after a think time, submit.

        Returns {"sent_at", "completed_at"} of the submission when it succeeded.
        """
        # With think time (a crowd of people) a refused request is tried again, as the page does;
        # the saturating loops measure raw answers.
        call = self.call_until_served if think is not None else self.call
        status, attempt = await call("start", "POST", f"/api/v1/competitions/{competition}/attempts/", token)
        if status not in (200, 201) or not attempt:
            return None
        answers = answers_for(attempt.get("questions", []))
        for answer in answers:
            if think is not None:
                await asyncio.sleep(random.uniform(*think))
            if save_answers:
                path = f"/api/v1/attempts/{attempt['id']}/answers/{answer['question']}/"
                await call("answer", "PUT", path, token, {"selected": answer["selected"]})
        sent_at = time.time()
        status, _ = await call(
            "submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token, {"answers": answers}
        )
        if status != 200:
            return None
        return {"sent_at": sent_at, "completed_at": time.time()}


def _tokens(spec: dict) -> list[str]:
    with open(spec["token_file"], encoding="utf-8") as handle:
        tokens = json.load(handle)[spec.get("token_key", "participants")]
    offset = spec.get("token_offset", 0) % len(tokens)
    tokens = tokens[offset:] + tokens[:offset]
    # `token_count`: only that many users (round robin), e.g. readers whose tokens were warmed.
    return tokens[: spec["token_count"]] if spec.get("token_count") else tokens


async def run_get(spec: dict, client: Client, recorder: Recorder) -> None:
    paths = itertools.cycle(spec["paths"])
    tokens = itertools.cycle(_tokens(spec)) if spec.get("token_file") else itertools.repeat(None)
    deadline = time.perf_counter() + spec["duration"]
    budget = spec.get("max_requests", 10**7)
    label = spec.get("label", "get")

    async def worker() -> None:
        nonlocal budget
        while time.perf_counter() < deadline and budget > 0:
            budget -= 1
            await client.call(label, "GET", next(paths), next(tokens))

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))


async def run_cycle(spec: dict, client: Client, recorder: Recorder) -> None:
    tokens = _tokens(spec)
    counter = itertools.count()
    deadline = time.perf_counter() + spec["duration"]
    budget = spec.get("max_requests", 10**7) // 2
    submissions: list = []

    async def worker() -> None:
        nonlocal budget
        while time.perf_counter() < deadline and budget > 0:
            budget -= 1
            done = await client.cycle(spec["competition"], tokens[next(counter) % len(tokens)])
            if done:
                submissions.append([done["sent_at"], done["completed_at"]])

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    recorder.extra["submissions"] = submissions
    recorder.extra["users_used"] = next(counter)


async def run_cycle_rate(spec: dict, client: Client, recorder: Recorder) -> None:
    """Open loop: cycles are launched on schedule whatever the server's latency (no coordinated omission)."""
    tokens = _tokens(spec)
    rate, duration = spec["rate"], spec["duration"]
    total = min(int(rate * duration), spec.get("max_requests", 10**7) // 2)
    max_in_flight = spec.get("max_in_flight", 2000)
    submissions: list = []
    in_flight = 0
    late = 0
    dropped = 0
    tasks = set()

    async def one(index: int) -> None:
        nonlocal in_flight
        in_flight += 1
        try:
            done = await client.cycle(spec["competition"], tokens[index % len(tokens)])
            if done:
                submissions.append([done["sent_at"], done["completed_at"]])
        finally:
            in_flight -= 1

    origin = time.perf_counter()
    for index in range(total):
        scheduled = origin + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.05:
            late += 1
        if in_flight >= max_in_flight:
            dropped += 1
            recorder.errors["start:generator_overloaded"] += 1
            continue
        task = asyncio.create_task(one(index))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT * 2 + 5)
    recorder.extra.update(submissions=submissions, users_used=total, late_launches=late, dropped=dropped)


async def run_crowd(spec: dict, client: Client, recorder: Recorder) -> None:
    tokens = _tokens(spec)
    participants = min(spec["participants"], len(tokens))
    ramp = spec["ramp"]
    think = tuple(spec["think"])
    save_answers = spec.get("save_answers", False)
    hard_stop = spec.get("max_seconds", 1800)
    concurrent = 0
    peak = 0
    finished = 0

    async def participant(index: int) -> None:
        nonlocal concurrent, peak, finished
        await asyncio.sleep(ramp * index / participants)
        concurrent += 1
        peak = max(peak, concurrent)
        try:
            done = await client.cycle(
                spec["competition"], tokens[index], save_answers=save_answers, think=think
            )
            if done:
                finished += 1
        finally:
            concurrent -= 1

    tasks = [asyncio.create_task(participant(i)) for i in range(participants)]
    _, pending = await asyncio.wait(tasks, timeout=hard_stop)
    for task in pending:
        task.cancel()
    if pending:
        recorder.errors["crowd:unfinished_at_time_limit"] += len(pending)
    recorder.extra.update(participants=participants, finished=finished, peak_concurrent=peak)


async def run_ws(spec: dict, recorder: Recorder) -> None:
    """K dashboards: connect (bounded parallelism), then log (received_at, attempts) per socket."""
    tokens = _tokens(spec)
    base = spec["base_url"].replace("http://", "ws://").rstrip("/")
    origin = spec["base_url"].rstrip("/")
    url = f"{base}/ws/competitions/{spec['competition']}/live/"
    dashboards = spec["dashboards"]
    deadline = time.perf_counter() + spec["duration"]
    stop_file = spec.get("stop_file")
    logs: list[list] = [[] for _ in range(dashboards)]
    connect_ms: list[float] = []
    first_ms: list[float] = []
    failures: Counter = Counter()
    closed_early: list[int] = []
    connected = 0
    gate = asyncio.Semaphore(spec.get("connect_parallelism", 50))
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=REQUEST_TIMEOUT)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def dashboard(index: int) -> None:
            nonlocal connected
            token = tokens[index % len(tokens)]
            started = time.perf_counter()
            try:
                async with gate:
                    ws = await session.ws_connect(
                        f"{url}?token={token}", origin=origin, heartbeat=None, max_msg_size=4 * 1024 * 1024
                    )
                    connect_ms.append((time.perf_counter() - started) * 1000)
                    first = await ws.receive(timeout=REQUEST_TIMEOUT)
            except (aiohttp.ClientError, TimeoutError) as exc:
                failures[type(exc).__name__ + (f":{exc.status}" if hasattr(exc, "status") else "")] += 1
                return
            if first.type != aiohttp.WSMsgType.TEXT:
                failures[f"first_message:{first.type.name}"] += 1
                await ws.close()
                return
            first_ms.append((time.perf_counter() - started) * 1000)
            logs[index].append([time.time(), first.data])
            connected += 1
            try:
                while True:
                    # No timeout and no stop-file check per message: with 1,000 sockets they woke
                    # this process 2,000 times a second and made each message cost ~4x the CPU,
                    # which delayed the later sockets' timestamps of every round. `stopper` ends it.
                    msg = await ws.receive()
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        # Parsed after the run: one real dashboard parses its own message only,
                        # here parsing would delay every other socket's timestamp.
                        logs[index].append([time.time(), msg.data])
                    elif msg.type in (
                        aiohttp.WSMsgType.CLOSE,
                        aiohttp.WSMsgType.CLOSED,
                        aiohttp.WSMsgType.ERROR,
                    ):
                        failures[f"closed_early:{ws.close_code}"] += 1
                        closed_early.append(index)
                        return
            except asyncio.CancelledError:
                pass  # the end of the run
            finally:
                await ws.close()

        async def announce() -> None:
            # bench/run.py waits for this line before it starts submitting.
            while connected + sum(failures.values()) < dashboards and time.perf_counter() < deadline:
                await asyncio.sleep(0.2)
            print(f"READY {connected}", flush=True)

        async def stopper(tasks: list[asyncio.Task]) -> None:
            while time.perf_counter() < deadline and not (stop_file and os.path.exists(stop_file)):
                await asyncio.sleep(0.2)
            for task in tasks:
                task.cancel()

        tasks = [asyncio.ensure_future(dashboard(i)) for i in range(dashboards)]
        results = await asyncio.gather(announce(), stopper(tasks), *tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result  # a bug, not a cancelled socket (CancelledError is no Exception)

    for log in logs:
        for entry in log:
            entry[1] = attempts_of(json.loads(entry[1]))

    recorder.latencies["ws_connect"] = connect_ms
    recorder.latencies["ws_first_message"] = first_ms
    recorder.errors.update(failures)
    recorder.extra.update(messages=logs, connected=connected, closed_early=closed_early)


def attempts_of(message: dict) -> int | None:
    """The submitted-attempts total a stats message carries (top level, or summed over regions)."""
    body = message.get("data", message) if isinstance(message.get("data"), dict) else message
    if isinstance(body.get("attempts"), int):
        return body["attempts"]
    regions = body.get("regions")
    if isinstance(regions, list) and regions and all(isinstance(r.get("attempts"), int) for r in regions):
        return sum(r["attempts"] for r in regions)
    return None


async def main(spec: dict) -> dict:
    _check_loopback(spec["base_url"])
    recorder = Recorder()
    cpu_before = _cpu_seconds()
    started = time.time()
    kind = spec["kind"]
    if kind == "ws":
        await run_ws(spec, recorder)
    else:
        connector = aiohttp.TCPConnector(limit=spec.get("connections", 0), force_close=False)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            client = Client(spec, recorder, session)
            runner = {"get": run_get, "cycle": run_cycle, "cycle_rate": run_cycle_rate, "crowd": run_crowd}[
                kind
            ]
            await runner(spec, client, recorder)
    return {
        "kind": kind,
        "started": started,
        "ended": time.time(),
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "latencies": recorder.latencies,
        "ok": dict(recorder.ok),
        "errors": dict(recorder.errors),
        "extra": recorder.extra,
    }


if __name__ == "__main__":
    import uvloop

    with open(sys.argv[1], encoding="utf-8") as spec_file:
        loaded = json.load(spec_file)
    result = uvloop.run(main(loaded))
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(result, out)
