"""A server process SIGKILLed during an attempt (services tier): the participant goes on through
another process with the same attempt and the answers already saved, and submits.

Two moments: between requests (the phone's answers are saved one by one), and in the middle of the
submission itself (held on the attempt's row lock, so the kill lands inside its transaction).
"""

from __future__ import annotations

import threading

import httpx
import pytest
from django.core.management import call_command
from django.db import transaction

from quiz.models import Attempt, AttemptItem
from tests.factories import UserFactory, competition_with_bank
from tests.reliability.helpers import Ledger, answers_for, assert_nothing_lost
from tests.support.clients import api, token_of
from tests.support.keys import private_leaderboard_keys
from tests.support.servers import (
    Daphne,
    daphne,
    server_backends,
    server_env,
    wait_for_server_sessions_to_end,
    wait_until,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(transactional_db):  # after the test database exists
    with private_leaderboard_keys() as prefix:
        yield server_env(LEADERBOARD_KEY_PREFIX=prefix)


def _rebuilt_stats(base: str, admin_token: str, competition_id: int) -> dict:
    call_command("rebuild_leaderboards", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with api(base, admin_token) as admin:
        return admin.get(f"/api/v1/competitions/{competition_id}/stats/").json()


def test_an_attempt_goes_on_through_another_process_after_a_sigkill(linxia, env, tmp_path):
    competition = competition_with_bank(questions=5)
    person = UserFactory(region=linxia["linxia_city"])
    token, ledger = token_of(person), Ledger()
    first = Daphne(env, tmp_path / "a.log").start()
    try:
        with api(first.url, token) as client:
            attempt = client.post(f"/api/v1/competitions/{competition.pk}/attempts/").json()
            saved = answers_for(attempt, 5)[:3]  # three right answers saved before the crash
            for answer in saved:
                put = client.put(
                    f"/api/v1/attempts/{attempt['id']}/answers/{answer['question']}/",
                    json={"selected": answer["selected"]},
                )
                assert put.status_code == 200
        first.kill()  # fault: SIGKILL in the middle of the attempt
    finally:
        first.stop()
    wait_for_server_sessions_to_end()

    with daphne(env, tmp_path / "b.log") as second, api(second.url, token) as client:
        resumed = client.post(f"/api/v1/competitions/{competition.pk}/attempts/")
        rest = [
            a for a in answers_for(resumed.json(), 0) if a["question"] not in {s["question"] for s in saved}
        ]
        submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", json={"answers": rest})
        stats = _rebuilt_stats(second.url, token_of(linxia["admin"]), competition.pk)

    assert resumed.status_code == 200  # resumed, not a new attempt
    assert resumed.json()["id"] == attempt["id"]
    kept = {q["id"]: q["selected"] for q in resumed.json()["questions"] if q["selected"]}
    assert kept == {a["question"]: a["selected"] for a in saved}
    assert submitted.status_code == 200
    assert (submitted.json()["correct_count"], submitted.json()["score"]) == (3, 30)
    ledger.accept(submitted.json())
    assert Attempt.objects.filter(user=person).count() == 1
    assert_nothing_lost(ledger, competition.pk, stats=stats)


def test_a_sigkill_in_the_middle_of_a_submission_writes_nothing_and_the_other_process_scores_it(
    linxia, env, tmp_path
):
    competition = competition_with_bank(questions=5)
    person = UserFactory(region=linxia["linxia_city"])
    token, ledger = token_of(person), Ledger()
    first = Daphne(env, tmp_path / "a.log").start()
    try:
        with api(first.url, token) as client:
            attempt = client.post(f"/api/v1/competitions/{competition.pk}/attempts/").json()
            body = {"answers": answers_for(attempt, 4)}
            outcome: dict = {}

            def submit() -> None:
                try:
                    outcome["response"] = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", json=body)
                except httpx.TransportError as exc:
                    outcome["error"] = exc

            with transaction.atomic():
                Attempt.objects.select_for_update().get(pk=attempt["id"])
                thread = threading.Thread(target=submit)
                thread.start()
                wait_until(lambda: server_backends(waiting_on_lock=True))
                first.kill()  # fault: SIGKILL while the submission waits inside its transaction
            thread.join(timeout=30)
    finally:
        first.stop()
    wait_for_server_sessions_to_end()

    assert "error" in outcome and "response" not in outcome  # the phone saw the connection drop
    assert Attempt.objects.get(pk=attempt["id"]).status == Attempt.Status.IN_PROGRESS
    assert not AttemptItem.objects.filter(attempt_id=attempt["id"], is_correct__isnull=False).exists()
    with daphne(env, tmp_path / "b.log") as second, api(second.url, token) as client:
        resumed = client.post(f"/api/v1/competitions/{competition.pk}/attempts/")
        submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", json=body)
        stats = _rebuilt_stats(second.url, token_of(linxia["admin"]), competition.pk)

    assert (resumed.status_code, resumed.json()["id"]) == (200, attempt["id"])
    assert (submitted.status_code, submitted.json()["score"]) == (200, 40)
    ledger.accept(submitted.json())
    assert_nothing_lost(ledger, competition.pk, stats=stats)
