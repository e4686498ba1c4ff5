"""The two ways an attempt starts (quiz/services/attempts.py): on PostgreSQL the common start is two
statements in one round trip (`_start_in_one_round_trip`), everything else takes the general ORM
path. Both must write the same rows for the same draw, hand back what they wrote, and keep the quota
under racing starts."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ApplicationError
from quiz.apis.attempts import attempt_body
from quiz.models import Attempt, AttemptItem, Participation
from quiz.services import attempts as svc
from quiz.services import drawing
from quiz.services.finalising import attempt_with_items
from tests.factories import CompetitionFactory, UserFactory, make_bank
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.services


def _fields(instance: Model, *, leave_out: tuple[str, ...]) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in leave_out
    }


def _rows(attempt_id: int) -> tuple[dict, list[dict], dict]:
    attempt = Attempt.objects.get(pk=attempt_id)
    items = AttemptItem.objects.filter(attempt_id=attempt_id).order_by("position")
    participation = Participation.objects.get(user_id=attempt.user_id, competition_id=attempt.competition_id)
    return (
        _fields(attempt, leave_out=("id", "user_id")),
        [_fields(item, leave_out=("id", "attempt_id")) for item in items],
        _fields(participation, leave_out=("id", "user_id", "created_at")),
    )


def _start_with_draw(monkeypatch, *, user, competition, now, seed: int, general_path: bool) -> Attempt:
    monkeypatch.setattr(drawing, "_random", random.Random(seed))
    if general_path:
        monkeypatch.setattr(svc, "_start_in_one_round_trip", lambda **_kwargs: None)
    try:
        attempt, created = svc.attempt_start(user=user, competition=competition, now=now)
    finally:
        monkeypatch.undo()
    assert created
    return attempt


def _people(linxia) -> dict:
    county = linxia["linxia_city"]
    unit = county.organizations.first()
    return {
        # an industry of one's own; none but the unit's (the attempt takes the unit's); neither
        "own industry": dict(region=county, organization=unit, industry=unit.industry),
        "the unit's industry": dict(region=county, organization=unit, industry=None),
        "no unit": dict(region=county, organization=None, industry=None),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["own industry", "the unit's industry", "no unit"])
def test_both_paths_write_the_same_rows_for_the_same_draw(linxia, monkeypatch, who):
    competition = CompetitionFactory(
        banks=[
            make_bank(singles=4, multiples=3, judges=3, category="消防安全"),
            make_bank(singles=3, category="交通安全"),
        ],
        questions_per_attempt=10,
        shuffle_options=True,
        draw_rules=[{"count": 2, "type": "judge"}, {"count": 2, "category": "交通安全"}],
    )
    person = _people(linxia)[who]
    fast_user, general_user = UserFactory(**person), UserFactory(**person)

    now = timezone.now()
    fast = _start_with_draw(
        monkeypatch, user=fast_user, competition=competition, now=now, seed=7, general_path=False
    )
    general = _start_with_draw(
        monkeypatch, user=general_user, competition=competition, now=now, seed=7, general_path=True
    )

    written = _rows(fast.pk)
    assert written == _rows(general.pk)
    assert written[0]["industry_id"] == (None if who == "no unit" else person["organization"].industry_id)
    # What the round trip hands back is what it wrote (the start's response is built from it).
    reread = attempt_with_items(attempt_id=fast.pk)
    assert _fields(fast, leave_out=()) == _fields(reread, leave_out=())
    assert [_fields(i, leave_out=()) for i in fast.items.all()] == [
        _fields(i, leave_out=()) for i in reread.items.all()
    ]
    now = timezone.now()
    assert attempt_body(fast, now=now) == attempt_body(reread, now=now)


@pytest.mark.django_db
def test_a_common_start_on_postgresql_is_one_round_trip(participant):
    competition = CompetitionFactory(banks=[make_bank(singles=8)], questions_per_attempt=5)
    svc.attempt_start(user=UserFactory(region=participant.region), competition=competition)  # draw cached

    with CaptureQueriesContext(connection) as captured:
        attempt, created = svc.attempt_start(user=participant, competition=competition)

    assert created and len(attempt.items.all()) == 5
    (statement,) = [query["sql"] for query in captured.captured_queries]
    assert "INSERT INTO quiz_participation" in statement and "jsonb_to_recordset" in statement


@pytest.mark.django_db
def test_the_round_trip_steps_aside_for_an_overdue_attempt_which_is_finalised_first(participant):
    competition = CompetitionFactory(
        banks=[make_bank(singles=8)], questions_per_attempt=5, attempts_per_day=5
    )
    abandoned, _ = svc.attempt_start(user=participant, competition=competition)
    now = timezone.now()
    Attempt.objects.filter(pk=abandoned.pk).update(
        started_at=now - timedelta(hours=2), deadline=now - timedelta(hours=1)
    )

    fresh, created = svc.attempt_start(user=participant, competition=competition, now=now)

    abandoned.refresh_from_db()
    assert created and fresh.pk != abandoned.pk
    assert abandoned.status == Attempt.Status.SUBMITTED
    assert Participation.objects.get(user=participant, competition=competition).submitted_attempts == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("participation_exists", [False, True])
def test_racing_starts_in_one_round_trip_never_exceed_the_quota(linxia, monkeypatch, participation_exists):
    user = UserFactory(region=linxia["linxia_city"])
    competition = CompetitionFactory(
        banks=[make_bank(singles=10)], questions_per_attempt=5, attempts_per_day=2
    )
    if participation_exists:  # then the lock is ON CONFLICT's, not the insert's
        Participation.objects.create(user=user, competition=competition, region_id=user.region_id)
    fast_starts: list[int] = []
    one_round_trip = svc._start_in_one_round_trip

    def counted(**kwargs):
        attempt = one_round_trip(**kwargs)
        if attempt is not None:
            fast_starts.append(attempt.pk)
        return attempt

    monkeypatch.setattr(svc, "_start_in_one_round_trip", counted)

    def start_and_submit_until_refused(_index: int) -> str:
        while True:
            try:
                attempt, _created = svc.attempt_start(user=user, competition=competition)
            except ApplicationError as exc:
                return exc.code
            svc.attempt_submit(user=user, attempt_id=attempt.pk)

    results = run_in_threads(10, start_and_submit_until_refused)

    assert results == ["daily_limit_reached"] * 10
    assert Attempt.objects.filter(user=user, competition=competition).count() == 2
    assert fast_starts  # the race went through the round trip, not only the general path
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 2


@pytest.mark.django_db
def test_with_server_side_binding_a_start_takes_the_general_path(participant, monkeypatch):
    """Server-side binding prepares one statement per execute(): the two statements cannot go together."""
    competition = CompetitionFactory(banks=[make_bank(singles=8)], questions_per_attempt=5)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)

    with CaptureQueriesContext(connection) as captured:
        attempt, created = svc.attempt_start(user=participant, competition=competition)

    assert created and len(attempt.items.all()) == 5
    assert not any("jsonb_to_recordset" in query["sql"] for query in captured.captured_queries)
