"""The live figures never drift from the database (services tier, real daphne processes).

Every counted submission leaves an outbox row in its own transaction; each server process drains
what is left every LEADERBOARD_CATCH_UP_SECONDS (1 s here). So a process SIGKILLed between a commit
and its after-commit hook, or a process that cannot reach Redis, leaves the live figures short only
for a few seconds, without anyone running `rebuild_leaderboards`.

The kill is not left to timing: the doomed process starts with a `sitecustomize.py` of the test's
own on its PYTHONPATH that SIGKILLs it inside the after-commit hand-over of its second scored
attempt, so the product code knows nothing of the test. On the code before the outbox (hook only)
this test fails: the live figures stay one attempt short for good.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from leaderboard.store import get_store
from quiz.models import Attempt, AttemptScoredOutbox
from quiz.services.attempts import attempt_start
from tests.factories import AttemptFactory, UserFactory, competition_with_bank
from tests.reliability.helpers import stored_figures
from tests.support.clients import api, token_of
from tests.support.keys import private_leaderboard_keys
from tests.support.servers import ROOT, Daphne, daphne, free_port, server_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CATCH_UP_WITHIN = 10.0  # seconds: a 1 s drain interval, with margin for a loaded CI machine


@pytest.fixture
def env(transactional_db):  # after the test database exists
    with private_leaderboard_keys() as prefix:
        yield server_env(LEADERBOARD_KEY_PREFIX=prefix, LEADERBOARD_CATCH_UP_SECONDS="1")


HAND_OVER_KILLER = '''\
"""Written by tests/reliability/test_live_catch_up.py: SIGKILL this process in the after-commit
hand-over of its KILL_ON_HAND_OVER-th scored attempt (committed, the leaderboard not yet told)."""
import os
import signal

import django.apps.registry

_populate = django.apps.registry.Apps.populate


def _populate_then_arm(self, installed_apps=None):
    _populate(self, installed_apps)
    if self is not django.apps.registry.apps or getattr(self, "_hand_over_killer", False):
        return
    self._hand_over_killer = True
    from quiz.events import attempt_scored  # Django is set up: the apps are ready

    kill_on = int(os.environ["KILL_ON_HAND_OVER"])
    send_robust = attempt_scored.send_robust
    seen = []

    def send_robust_or_die(*args, **kwargs):
        seen.append(kwargs.get("attempt_id"))
        if len(seen) >= kill_on:
            os.kill(os.getpid(), signal.SIGKILL)
        return send_robust(*args, **kwargs)

    attempt_scored.send_robust = send_robust_or_die


django.apps.registry.Apps.populate = _populate_then_arm
'''


def _dies_in_its_hand_over(env: dict[str, str], tmp_path: Path, *, on: int) -> dict[str, str]:
    """A server environment whose process SIGKILLs itself right after committing its `on`-th scored
    attempt, before the leaderboard hears of it; product code knows nothing (a sitecustomize)."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(HAND_OVER_KILLER)
    path = os.pathsep.join(p for p in (str(inject), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "KILL_ON_HAND_OVER": str(on)}


def _started(linxia, competition, count: int) -> list[tuple[str, int, list[dict]]]:
    """`count` people with a started attempt each: (token, attempt id, all answers right)."""
    started = []
    for _ in range(count):
        person = UserFactory(region=linxia["linxia_city"])
        attempt, _created = attempt_start(user=person, competition=competition)
        answers = [{"question": i.question_id, "selected": list(i.correct)} for i in attempt.items.all()]
        started.append((token_of(person), attempt.pk, answers))
    return started


def _submit(base: str, token: str, attempt_id: int, answers: list[dict]) -> int | None:
    try:
        with api(base, token, timeout=10) as client:
            return client.post(
                f"/api/v1/attempts/{attempt_id}/submit/", json={"answers": answers}
            ).status_code
    except httpx.TransportError:
        return None  # the process was killed under this request


def _live_equals_database(base: str, admin_token: str, competition_id: int) -> tuple[float, dict, dict]:
    """Poll the live figures until they equal the database's; (seconds taken, live, statistics)."""
    began = time.monotonic()
    with api(base, admin_token) as admin:
        while True:
            truth = stored_figures(competition_id)
            stats = admin.get(f"/api/v1/competitions/{competition_id}/stats/").json()
            statistics = admin.get(f"/api/v1/competitions/{competition_id}/statistics/").json()
            live = (stats["participants"], stats["attempts"], stats["points"])
            if live == (truth["participants"], truth["attempt_rows"], truth["attempt_points"]):
                return time.monotonic() - began, stats, statistics
            if time.monotonic() - began > CATCH_UP_WITHIN:
                pytest.fail(f"live {live} still differs from the database {truth} after {CATCH_UP_WITHIN} s")
            time.sleep(0.2)


def _totals(statistics: dict) -> tuple[int, int, int]:
    totals = statistics.get("totals", statistics)
    return totals["participants"], totals["attempts"], totals["points"]


def test_a_process_killed_between_a_commit_and_its_hand_over_drifts_only_seconds(linxia, env, tmp_path):
    competition = competition_with_bank(questions=5)
    admin_token = token_of(linxia["admin"])
    first_person, warm_up, victim = _started(linxia, competition, 3)
    doomed_env = _dies_in_its_hand_over(env, tmp_path, on=2)
    with daphne(env, tmp_path / "healthy.log") as healthy:
        # One submission through the healthy process puts the competition in Redis, so nothing
        # but the outbox can bring the victim's attempt there (catch-up builds only what is missing).
        assert _submit(healthy.url, *first_person) == 200
        doomed = Daphne(doomed_env, tmp_path / "killed.log").start()
        try:
            assert _submit(doomed.url, *warm_up) == 200  # its first hand-over goes through
            assert _submit(doomed.url, *victim) is None  # fault: killed after the commit
            assert doomed.process.wait(timeout=10) == -signal.SIGKILL
        finally:
            doomed.stop()
        victim_attempt = Attempt.objects.get(pk=victim[1])
        assert (victim_attempt.status, victim_attempt.score) == (Attempt.Status.SUBMITTED, 50)
        seconds, stats, statistics = _live_equals_database(healthy.url, admin_token, competition.pk)
        store = get_store().live_numbers(competition.pk).totals
        victim_rank = get_store().individual_position(competition.pk, victim_attempt.user_id)
        time.sleep(1.5)  # a drain pass later nothing is left over either
        left = AttemptScoredOutbox.objects.filter(competition=competition).count()

    truth = stored_figures(competition.pk)
    print(f"\nSIGKILL between a commit and its hand-over: live equal to the database in {seconds:.1f} s")
    assert (truth["participants"], truth["attempt_rows"], truth["attempt_points"]) == (3, 3, 150)
    assert (stats["participants"], stats["attempts"], stats["points"]) == (3, 3, 150)
    assert (store.participants, store.attempts, store.points) == (3, 3, 150)
    assert victim_rank is not None and victim_rank[1].points == 50
    assert _totals(statistics) == (3, 3, 150)
    assert left == 0


def test_a_process_with_a_dead_redis_beside_a_healthy_one_drifts_only_seconds(linxia, env, tmp_path):
    competition = competition_with_bank(questions=5)
    admin_token = token_of(linxia["admin"])
    first_person, *others = _started(linxia, competition, 7)
    dead_redis = server_env(**{**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    with (
        daphne(env, tmp_path / "healthy.log") as healthy,
        daphne(dead_redis, tmp_path / "dead.log") as cut_off,
    ):
        assert _submit(healthy.url, *first_person) == 200
        codes = [_submit(cut_off.url, *one) for one in others]  # their hooks cannot reach Redis
        seconds, stats, statistics = _live_equals_database(healthy.url, admin_token, competition.pk)

    print(f"\na process without Redis took 6 submissions: live equal in {seconds:.1f} s")
    assert codes == [200] * 6
    # The cut-off process left every hand-over in the outbox, and the healthy one recorded them.
    assert (tmp_path / "dead.log").read_text().count("left in the outbox") == 6
    assert (stats["participants"], stats["attempts"], stats["points"]) == (7, 7, 7 * 50)
    assert _totals(statistics) == (7, 7, 7 * 50)


def test_a_gunicorn_process_records_what_the_outbox_holds(linxia, env, tmp_path):
    """Production serves HTTP with gunicorn (config/wsgi.py): its processes run the catch-up too,
    so a hand-over left in the outbox is recorded even where no ASGI process runs."""
    competition = competition_with_bank(questions=5)
    admin_token = token_of(linxia["admin"])
    # The first attempt is handed over at once (the competition is then in Redis); the next two
    # commit their outbox rows but their hand-over never happens, as if their process had died.
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=2)
    for _ in range(2):
        AttemptFactory(
            user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=3, hook=False
        )
    # Three rows: the first one's too, recorded by its hook, waits for a catch-up pass to see that.
    assert AttemptScoredOutbox.objects.filter(competition=competition).count() == 3
    store = get_store().live_numbers(competition.pk).totals
    assert (store.participants, store.attempts, store.points) == (1, 1, 20)

    port = free_port()
    with open(tmp_path / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}"]
            + ["-k", "gthread", "--threads", "4"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:  # until gunicorn answers
                try:
                    if httpx.get(f"{base}/api/v1/health/", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            _seconds, stats, _statistics = _live_equals_database(base, admin_token, competition.pk)
        finally:
            process.terminate()
            process.wait(timeout=20)

    assert (stats["participants"], stats["attempts"], stats["points"]) == (3, 3, 80)
    assert AttemptScoredOutbox.objects.filter(competition=competition).count() == 0
