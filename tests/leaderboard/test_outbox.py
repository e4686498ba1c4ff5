"""The hand-over from a submission to the live leaderboard: an outbox row written in the
submission's own transaction (quiz.models.AttemptScoredOutbox), consumed by the leaderboard."""

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction

from core import redis as redis_client
from leaderboard.selectors import competition_stats_get
from leaderboard.services import leaderboard_outbox_drain, leaderboard_record_submission
from leaderboard.store import StoreUnavailable, competition_stamp, get_store
from quiz.models import AttemptScoredOutbox
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import AttemptFactory, CompetitionFactory, UserFactory, competition_with_bank, make_bank
from tests.support.servers import PrivateRedis, free_port


def _stamp(competition) -> str:
    return competition_stamp(competition_id=competition.pk, created_at=competition.created_at)


pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return CompetitionFactory(banks=[make_bank(singles=6)], questions_per_attempt=3, attempts_per_day=5)


def _start(user, competition):
    attempt, _created = attempt_start(user=user, competition=competition)
    return attempt


def test_a_submission_writes_its_outbox_row_in_its_own_transaction(
    linxia, competition, django_capture_on_commit_callbacks
):
    user = UserFactory(region=linxia["linxia_city"])
    attempt = _start(user, competition)

    with django_capture_on_commit_callbacks(execute=False):  # the process "dies" after the commit
        attempt_submit(user=user, attempt_id=attempt.pk)

    rows = list(AttemptScoredOutbox.objects.values_list("attempt_id", "competition_id"))
    assert rows == [(attempt.pk, competition.pk)]


def test_a_rolled_back_submission_leaves_no_outbox_row(linxia, competition):
    user = UserFactory(region=linxia["linxia_city"])
    attempt = _start(user, competition)

    with pytest.raises(RuntimeError), transaction.atomic():
        attempt_submit(user=user, attempt_id=attempt.pk)
        raise RuntimeError("rolled back")

    assert not AttemptScoredOutbox.objects.exists()


def test_a_retried_submission_keeps_one_outbox_row(linxia, competition, django_capture_on_commit_callbacks):
    user = UserFactory(region=linxia["linxia_city"])
    attempt = _start(user, competition)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt_submit(user=user, attempt_id=attempt.pk)
        attempt_submit(user=user, attempt_id=attempt.pk)

    assert len(callbacks) == 2  # the retry publishes again ...
    assert AttemptScoredOutbox.objects.count() == 1  # ... and its row is the same one


def test_practice_writes_no_outbox_row(linxia, django_capture_on_commit_callbacks):
    practice = CompetitionFactory(banks=[make_bank(singles=5)], is_practice=True, attempts_per_day=50)
    user = UserFactory(region=linxia["linxia_city"])
    attempt = _start(user, practice)

    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=user, attempt_id=attempt.pk)

    assert not AttemptScoredOutbox.objects.exists()


def test_the_after_commit_subscriber_records_and_the_row_is_consumed(
    linxia, competition, django_capture_on_commit_callbacks
):
    user = UserFactory(region=linxia["linxia_city"])
    attempt = _start(user, competition)

    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(user=user, attempt_id=attempt.pk)

    if not get_store().reads_use_database:
        # With Redis the hook records it and leaves its row to the next catch-up pass, which finds
        # the attempt recorded and deletes the row without recording it again.
        assert get_store().recorded_attempts(_stamp(competition), [attempt.pk]) == {attempt.pk}
        # ... recorded for this competition, not for another one that had the same id.
        assert get_store().recorded_attempts(f"{competition.pk}:0", [attempt.pk]) == set()
        assert AttemptScoredOutbox.objects.count() == 1
        assert leaderboard_outbox_drain() == 0
    assert not AttemptScoredOutbox.objects.exists()
    stats = competition_stats_get(competition_id=competition.pk, user=linxia["admin"])
    assert (stats["participants"], stats["attempts"]) == (1, 1)


def test_the_drain_consumes_rows_the_hook_never_saw(linxia):
    competition = competition_with_bank()
    for score in (10, 20):
        AttemptFactory(
            user=UserFactory(region=linxia["linxia_city"]),
            competition=competition,
            correct=score // 10,
            hook=False,
        )

    assert leaderboard_outbox_drain() == 2
    assert leaderboard_outbox_drain() == 0
    assert not AttemptScoredOutbox.objects.exists()


@pytest.mark.services
def test_the_drain_puts_lost_hooks_on_the_live_store(linxia):
    competition = competition_with_bank()
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=1)
    for score in (20, 30):  # committed, then the process died before the hook
        AttemptFactory(
            user=UserFactory(region=linxia["dongxiang"]),
            competition=competition,
            correct=score // 10,
            hook=False,
        )
    key = f"{django_settings.LEADERBOARD_KEY_PREFIX}:{competition.pk}:tot"
    before = redis_client.get_client().hget(key, "p")

    call_command("leaderboard_catch_up", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (before, redis_client.get_client().hget(key, "p")) == ("10", "60")
    assert not AttemptScoredOutbox.objects.exists()


@pytest.mark.services
def test_the_drain_keeps_the_rows_while_redis_is_down(linxia, settings):
    competition = competition_with_bank()
    server = PrivateRedis()
    server.start()
    try:
        settings.REDIS_URL = server.url
        AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=1)
        settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
        AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=2)
        with pytest.raises(StoreUnavailable):
            leaderboard_outbox_drain()
        kept = AttemptScoredOutbox.objects.count()
        settings.REDIS_URL = server.url
        recorded = leaderboard_outbox_drain()
    finally:
        server.stop()

    # The first was recorded by its hook (its row waited for a catch-up pass), the second by the drain.
    assert (kept, recorded) == (2, 1)
    assert not AttemptScoredOutbox.objects.exists()


def test_the_fast_path_is_idempotent_after_the_drain(linxia):
    competition = competition_with_bank()
    attempt = AttemptFactory(
        user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=1, hook=False
    )
    leaderboard_outbox_drain()
    leaderboard_record_submission(attempt_id=attempt.pk)  # the late hook of the same attempt

    stats = competition_stats_get(competition_id=competition.pk, user=linxia["admin"])
    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 1, 10)
