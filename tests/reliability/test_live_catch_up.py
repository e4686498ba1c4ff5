"""The live figures never drift from the database (services tier, real daphne processes).

Every counted submission leaves an outbox row in its own transaction; each server process drains
what is left every LEADERBOARD_CATCH_UP_SECONDS (1 s here). So a process SIGKILLed between a commit
and its after-commit hook, or a process that cannot reach Redis, leaves the live figures short only
for a few seconds, without anyone running `rebuild_leaderboards`.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from quiz.models import AttemptScoredOutbox
from quiz.services.attempts import attempt_start
from tests.factories import UserFactory, competition_with_bank
from tests.reliability.helpers import stored_figures
from tests.support.clients import api, token_of
from tests.support.keys import private_leaderboard_keys
from tests.support.servers import Daphne, daphne, free_port, server_env, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CATCH_UP_WITHIN = 10.0  # seconds: a 1 s drain interval, with margin for a loaded CI machine


@pytest.fixture
def env(transactional_db):  # after the test database exists
    with private_leaderboard_keys() as prefix:
        yield server_env(LEADERBOARD_KEY_PREFIX=prefix, LEADERBOARD_CATCH_UP_SECONDS="1")


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


def test_live_figures_equal_the_database_within_seconds_after_a_sigkill(linxia, env, tmp_path):
    competition = competition_with_bank(questions=5)
    admin_token = token_of(linxia["admin"])
    first_person, warm_up, *burst = _started(linxia, competition, 42)
    with daphne(env, tmp_path / "healthy.log") as healthy:
        # One submission through the healthy process puts the competition in Redis.
        assert _submit(healthy.url, *first_person) == 200
        doomed = Daphne(env, tmp_path / "killed.log").start()
        try:
            assert _submit(doomed.url, *warm_up) == 200  # its code paths loaded, as in production
            threads = [threading.Thread(target=_submit, args=(doomed.url, *one)) for one in burst]
            for thread in threads:
                thread.start()
            time.sleep(0.25)
            # Kill once some of the burst committed (on a slow machine that takes longer than 0.25 s).
            wait_until(lambda: stored_figures(competition.pk)["attempt_rows"] > 2, timeout=10)
            doomed.kill()  # fault: SIGKILL while 40 submissions are in flight
            for thread in threads:
                thread.join(timeout=30)
        finally:
            doomed.stop()
        seconds, stats, statistics = _live_equals_database(healthy.url, admin_token, competition.pk)
        time.sleep(1.5)  # a drain pass later nothing is left over either
        left = AttemptScoredOutbox.objects.filter(competition=competition).count()

    truth = stored_figures(competition.pk)
    print(
        f"\nafter the SIGKILL: {truth['attempt_rows']} attempts in the database, live equal in {seconds:.1f} s"
    )
    assert 2 < truth["attempt_rows"] < 42  # the kill landed in the middle of the burst
    assert (stats["attempts"], stats["points"]) == (truth["attempt_rows"], truth["attempt_points"])
    assert _totals(statistics) == (stats["participants"], stats["attempts"], stats["points"])
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
