"""Submitting on PostgreSQL in two statements (quiz.services.attempts._submit_in_two_statements,
quiz.services.finalising) and the general ORM path must store the same thing, and an answer saved
while the submission waited for the attempt's lock must be scored (services tier)."""

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leaderboard.services import _record_from_scoring, _submission_record
from quiz.events import attempt_scored
from quiz.models import Attempt, AttemptItem, Participation
from quiz.services import attempts as attempts_svc
from quiz.services import finalising
from tests.factories import AttemptFactory, CompetitionFactory, UserFactory, make_bank

pytestmark = pytest.mark.services


@pytest.fixture
def handed_over():
    received: dict = {}

    def receiver(sender, *, attempt_id: int, scored=None, **kwargs) -> None:
        received[attempt_id] = scored

    attempt_scored.connect(receiver, weak=False, dispatch_uid="test-submit-paths")
    yield received
    attempt_scored.disconnect(dispatch_uid="test-submit-paths")


@pytest.fixture
def general_path(monkeypatch):
    """Switch the submission to the ORM path (its reads and its writes), as on SQLite."""

    def switch() -> None:
        monkeypatch.setattr(attempts_svc, "_submit_in_two_statements", lambda **kwargs: None)
        monkeypatch.setattr(finalising, "_writes_in_one_statement", lambda: False)

    return switch


WRONG = {"single": ["A"], "multiple": ["B"], "judge": ["A"]}  # tests/factories: B, ACD, B


def _answer(index: int, item: AttemptItem) -> list[str] | None:
    """Right, wrong, partial, cleared or left out, by the question's rank in the bank."""
    pattern = {
        "single": [["B"], ["A"], None],
        "multiple": [["A", "C", "D"], ["A", "C"], ["A", "B"]],
        "judge": [["A"], ["B"]],
    }[item.type]
    return pattern[index % len(pattern)]


def _submit_rounds(user, competition, t0, *, rounds) -> list[dict]:
    """Start, save two answers, submit (answers overriding and adding) at fixed clock times."""
    snapshots = []
    for number, (wrong, submit_after) in enumerate(rounds):
        started = t0 + timedelta(minutes=20 * number)
        attempt, _created = attempts_svc.attempt_start(user=user, competition=competition, now=started)
        items = sorted(attempt.items.all(), key=lambda item: item.question_id)
        for item in items[:2]:
            attempts_svc.attempt_save_answer(
                user=user,
                attempt_id=attempt.pk,
                question_id=item.question_id,
                selected=["A"],
                now=started + timedelta(seconds=5),
            )
        answers = [
            {"question": item.question_id, "selected": WRONG[item.type] if wrong else _answer(index, item)}
            for index, item in enumerate(items)
            if index != 3  # one question keeps its saved (or missing) answer
        ]
        submitted, scored_now = attempts_svc.attempt_submit(
            user=user, attempt_id=attempt.pk, answers=answers, now=started + submit_after
        )
        assert scored_now
        snapshots.append(_stored(submitted))
    return snapshots


def _stored(attempt: Attempt) -> dict:
    """What the database holds for an attempt, comparable across two people."""
    row = Attempt.objects.get(pk=attempt.pk)
    participation = Participation.objects.get(user_id=row.user_id, competition_id=row.competition_id)
    return {
        "returned": (attempt.status, attempt.score, attempt.correct_count, attempt.duration_seconds),
        "attempt": (
            row.status,
            row.started_at,
            row.submitted_at,
            row.score,
            row.correct_count,
            row.duration_seconds,
        ),
        "items": [
            (item.question_id, item.selected, item.answered_at, item.is_correct, item.points)
            for item in AttemptItem.objects.filter(attempt_id=row.pk).order_by("question_id")
        ],
        "returned_items": sorted(
            (item.question_id, item.selected, item.answered_at, item.is_correct, item.points)
            for item in attempt.items.all()
        ),
        "participation": (
            participation.points,
            participation.best_score,
            participation.submitted_attempts,
            participation.points_reached_at,
        ),
        "record": _anonymous(_submission_record(attempt_id=row.pk)),  # what the leaderboard reads back
        "attempt_id": row.pk,
    }


def _anonymous(record):
    return dataclasses.replace(record, attempt_id=0, user_id=0, user_name="")


@pytest.mark.django_db
def test_the_two_statements_and_the_orm_path_store_identical_rows(
    linxia, handed_over, general_path, django_capture_on_commit_callbacks
):
    county = linxia["linxia_city"]
    unit = county.organizations.first()
    fast, general = (UserFactory(region=county, organization=unit) for _ in range(2))
    competition = CompetitionFactory(
        banks=[make_bank(singles=4, multiples=3, judges=2)],
        questions_per_attempt=9,
        attempts_per_day=3,
        scoring_mode="partial",
        speed_bonus_max_points=30,
        time_limit_seconds=600,
    )
    t0 = timezone.now() - timedelta(minutes=59)
    grace = finalising.grace()
    # Right and early (speed bonus), then all wrong (score 0: the tie-breaker stays), then overdue
    # (the answers sent are ignored, it is scored as it stood).
    rounds = [
        (False, timedelta(seconds=97)),
        (True, timedelta(seconds=30)),
        (False, timedelta(seconds=600) + grace * 2),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        two_statements = _submit_rounds(fast, competition, t0, rounds=rounds)
    general_path()
    with django_capture_on_commit_callbacks(execute=True):
        orm = _submit_rounds(general, competition, t0, rounds=rounds)

    for mine, theirs in zip(two_statements, orm, strict=True):
        assert {k: v for k, v in mine.items() if k != "attempt_id"} == {
            k: v for k, v in theirs.items() if k != "attempt_id"
        }
        # The leaderboard gets from what scoring handed over the record it would read back.
        assert handed_over[theirs["attempt_id"]] is None  # the ORM path hands over nothing
        assert _anonymous(_record_from_scoring(handed_over[mine["attempt_id"]])) == mine["record"]
    scores = [snapshot["attempt"][3] for snapshot in two_statements]
    assert scores[0] > 0 and scores[1] == 0  # the rounds exercise what they are meant to
    assert two_statements[2]["participation"][2] == 3


@pytest.mark.django_db
def test_the_two_statements_keep_a_practice_answer_given_before(linxia, general_path):
    practice = CompetitionFactory(banks=[make_bank(singles=5)], is_practice=True, attempts_per_day=50)
    results = []
    for use_general in (False, True):
        if use_general:
            general_path()
        user = UserFactory(region=linxia["linxia_city"])
        attempt, _ = attempts_svc.attempt_start(user=user, competition=practice)
        first = attempt.items.all()[0]
        attempts_svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=first.question_id, selected=["A"]
        )
        answers = [{"question": item.question_id, "selected": ["B"]} for item in attempt.items.all()]
        submitted, _ = attempts_svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)
        results.append((submitted.score, submitted.correct_count, submitted.status))
        assert not Participation.objects.filter(user=user, submitted_attempts__gt=0).exists()
    assert results[0] == results[1] == (40, 4, "submitted")


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is read once per transaction otherwise
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_an_answer_saved_while_the_submission_waited_for_the_lock_is_scored(linxia, monkeypatch):
    user = UserFactory(region=linxia["linxia_city"])
    competition = CompetitionFactory(banks=[make_bank(singles=5)], questions_per_attempt=5)
    attempt, _ = attempts_svc.attempt_start(user=user, competition=competition)
    question_ids = [item.question_id for item in attempt.items.all()]
    changed: list = []
    store = finalising._store_scored_attempt

    def spied_store(**kwargs):
        try:
            return store(**kwargs)
        except finalising.ItemsChanged:
            changed.append(kwargs["attempt"].pk)
            raise

    monkeypatch.setattr(finalising, "_store_scored_attempt", spied_store)
    result: dict = {}

    def submit() -> None:
        try:
            result["attempt"], _ = attempts_svc.attempt_submit(
                user=user, attempt_id=attempt.pk, answers=[{"question": question_ids[0], "selected": ["B"]}]
            )
        except Exception as exc:  # noqa: BLE001 - asserted on below
            result["error"] = exc
        finally:
            connections.close_all()

    # A save holds the attempt's lock and has changed an item when the submission asks for the lock.
    with transaction.atomic():
        Attempt.objects.select_for_update().get(pk=attempt.pk)
        AttemptItem.objects.filter(attempt=attempt, question_id=question_ids[1]).update(
            selected=["B"], answered_at=timezone.now()
        )
        thread = threading.Thread(target=submit)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock():
            assert time.monotonic() < deadline, f"the submission never waited for the lock: {result}"
            time.sleep(0.01)
    thread.join(timeout=30)

    assert changed == [attempt.pk]  # the statement saw the stale read, and the general path took over
    assert (result["attempt"].score, result["attempt"].correct_count) == (20, 2)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert (stored.score, stored.correct_count) == (20, 2)
    assert Participation.objects.get(user=user, competition=competition).points == 20


@pytest.mark.django_db
def test_a_submission_is_two_statements_and_its_hook_none(linxia, django_capture_on_commit_callbacks):
    user = UserFactory(region=linxia["linxia_city"])
    competition = CompetitionFactory(banks=[make_bank(singles=5)], questions_per_attempt=5)
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=1)
    attempt, _ = attempts_svc.attempt_start(user=user, competition=competition)
    answers = [{"question": item.question_id, "selected": ["B"]} for item in attempt.items.all()]

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        attempts_svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)

    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 2, statements  # lock and read; write (the leaderboard's hook: none)
