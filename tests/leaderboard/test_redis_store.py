"""The Redis store (services tier): no SQL on ranking reads, one round trip per submission,
rebuild equal to the live figures, recovery from lost data."""

import json
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import user_set_role
from core import redis as redis_client
from leaderboard.services import leaderboard_record_submission
from leaderboard.store import RedisStore, get_store
from quiz.models import Attempt
from tests.factories import (
    AttemptFactory,
    UserFactory,
    competition_with_bank,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _dump(prefix: str, competition_id: int) -> dict:
    """Every key of the competition with its content, except the version counter and build time."""
    client = redis_client.get_client()
    dump = {}
    for key in client.scan_iter(match=f"{prefix}:{competition_id}:*"):
        name = key.split(":", 2)[2]
        kind = client.type(key)
        if name == "ver":
            continue
        if kind == "hash":
            value = client.hgetall(key)
            if name == "meta":
                value.pop("built_at", None)
            if name == "users":
                value = {uid: json.loads(raw) for uid, raw in value.items()}
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        else:
            value = client.get(key)
        dump[name] = value
    return dump


def _figures(client: APIClient, organizer_client: APIClient, competition_id: int) -> dict:
    base = f"/api/v1/competitions/{competition_id}"
    return {
        scope: client.get(f"{base}/leaderboard/?scope={scope}&limit=200").json()["entries"]
        for scope in ("individual", "region", "organization")
    } | {
        "stats": client.get(f"{base}/stats/").json(),
        "organizer": organizer_client.get(f"{base}/stats/").json(),
        "timeline": client.get(f"{base}/stats/timeline/").json(),
    }


def test_the_services_tier_uses_the_redis_store():
    assert isinstance(get_store(), RedisStore)


def test_ranking_reads_run_no_sql(linxia):
    competition = competition_with_bank()
    unit = linxia["linxia_city"].organizations.first()
    for index in range(5):
        person = UserFactory(region=linxia["linxia_city"], organization=unit)
        AttemptFactory(user=person, competition=competition, correct=index)
    client = APIClient()
    client.force_authenticate(linxia["admin"])  # the caller is already authenticated: measure the endpoint
    url = f"/api/v1/competitions/{competition.pk}/leaderboard/"
    client.get(url)  # the first read of a process may look at pending rebuilds
    for scope in ("individual", "region", "organization"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?scope={scope}&limit=50")
        assert response.status_code == 200
        assert response.json()["entries"], scope
        assert len(queries) == 0, [q["sql"] for q in queries]


def test_recording_a_submission_is_one_round_trip(linxia, monkeypatch):
    competition = competition_with_bank()
    person = UserFactory(
        region=linxia["linxia_city"], organization=linxia["linxia_city"].organizations.first()
    )
    AttemptFactory(user=person, competition=competition, correct=1)  # builds the competition
    attempt = AttemptFactory(user=person, competition=competition, correct=2, hook=False)
    client = redis_client.get_client()
    calls = []
    original = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    leaderboard_record_submission(attempt_id=attempt.pk)
    assert calls == ["EVALSHA"]


def test_rebuild_equals_the_live_figures_after_a_random_mix_of_submissions(linxia, settings):
    rng = random.Random(20260601)
    competition = competition_with_bank(questions=5, attempts_per_day=50)
    practice = competition_with_bank(questions=5, is_practice=True, attempts_per_day=50)
    counties = list(linxia["counties"].values())
    people = []
    for _ in range(14):
        county = rng.choice(counties)
        units = list(county.organizations.all()) + [None]
        people.append(UserFactory(region=county, organization=rng.choice(units)))
    for _ in range(45):
        person = rng.choice(people)
        kind = rng.random()
        if kind < 0.35:
            AttemptFactory(user=person, competition=competition, correct=rng.randint(0, 5))
        elif kind < 0.45:
            AttemptFactory(user=person, competition=practice, correct=rng.randint(0, 5))
        else:
            correct = rng.choice([0, 1, 2, 3, 4, 5])
            target = practice if rng.random() < 0.1 else competition
            attempt = AttemptFactory(user=person, competition=target, correct=correct)
            if rng.random() < 0.3:  # a retried hook
                leaderboard_record_submission(attempt_id=attempt.pk)
    admin = APIClient()
    admin.force_authenticate(linxia["admin"])
    organizer = APIClient()
    organizer.force_authenticate(linxia["organizer"])
    prefix = settings.LEADERBOARD_KEY_PREFIX
    live_keys = _dump(prefix, competition.pk)
    live = _figures(admin, organizer, competition.pk)

    call_command("rebuild_leaderboards", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _dump(prefix, competition.pk) == live_keys
    rebuilt = _figures(admin, organizer, competition.pk)
    assert rebuilt == {
        **live,
        "stats": {**live["stats"], "version": rebuilt["stats"]["version"]},
        "organizer": {**live["organizer"], "version": rebuilt["organizer"]["version"]},
    }
    counted = Attempt.objects.filter(competition=competition, status="submitted", is_practice=False)
    assert live["stats"]["attempts"] == counted.count()
    assert live["stats"]["points"] == sum(counted.values_list("score", flat=True))
    assert live["stats"]["participants"] == counted.values("user").distinct().count()


def test_lost_redis_data_is_rebuilt_on_the_next_read(linxia, settings):
    competition = competition_with_bank()
    for score in (10, 20, 30):
        AttemptFactory(
            user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=score // 10
        )
    client = redis_client.get_client()
    keys = list(client.scan_iter(match=f"{settings.LEADERBOARD_KEY_PREFIX}:{competition.pk}:*"))
    client.delete(*keys)  # as if Redis restarted empty

    admin = APIClient()
    admin.force_authenticate(linxia["admin"])
    body = admin.get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=region").json()
    assert body["entries"][0]["points"] == 60
    assert body["entries"][0]["participants"] == 3


def test_a_submission_after_lost_data_rebuilds_and_counts_once(linxia, settings):
    competition = competition_with_bank()
    person = UserFactory(region=linxia["dongxiang"])
    AttemptFactory(user=person, competition=competition, correct=1)
    client = redis_client.get_client()
    client.delete(*client.scan_iter(match=f"{settings.LEADERBOARD_KEY_PREFIX}:{competition.pk}:*"))
    AttemptFactory(user=person, competition=competition, correct=3)

    admin = APIClient()
    admin.force_authenticate(linxia["admin"])
    stats = admin.get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 2, 40)


def test_a_role_change_leaves_redis_as_a_rebuild_would(linxia, settings, django_capture_on_commit_callbacks):
    competition = competition_with_bank()
    county = linxia["linxia_city"]
    promoted, stays = UserFactory(region=county), UserFactory(region=county)
    AttemptFactory(user=promoted, competition=competition, correct=4)
    AttemptFactory(user=stays, competition=competition, correct=2)
    with django_capture_on_commit_callbacks(execute=True):
        user_set_role(user=promoted, role="organizer", scope_region_id=county.pk)
    AttemptFactory(user=stays, competition=competition, correct=1)
    prefix = settings.LEADERBOARD_KEY_PREFIX
    live = _dump(prefix, competition.pk)

    call_command("rebuild_leaderboards", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _dump(prefix, competition.pk) == live
    assert [e.user_id for e in get_store().individual_top(competition.pk, 10)[0]] == [stays.pk]
    assert live["users"][str(promoted.pk)]["r"] == 0  # still known: counted once among participants
    assert live["tot"] == {**live["tot"], "n": "2", "a": "3", "p": "70"}


def test_a_ranking_with_the_viewers_line_is_one_round_trip_and_equals_the_database(
    linxia, monkeypatch, django_capture_on_commit_callbacks
):
    """The top and the viewer's own line come from one script: the same as the database store's
    answer for a viewer in the top, below it, without an attempt, and not ranked (promoted)."""
    from leaderboard.store import DatabaseStore

    competition = competition_with_bank(questions=5, attempts_per_day=20)
    unit = linxia["linxia_city"].organizations.first()
    people = [UserFactory(region=linxia["linxia_city"], organization=unit) for _ in range(6)]
    for index, person in enumerate(people):
        AttemptFactory(user=person, competition=competition, correct=index % 4)
    promoted = UserFactory(region=linxia["linxia_city"])
    AttemptFactory(user=promoted, competition=competition, correct=5)
    with django_capture_on_commit_callbacks(execute=True):  # counted, no longer ranked
        user_set_role(user=promoted, role="organizer", scope_region_id=linxia["linxia_city"].pk)
    idle = UserFactory(region=linxia["linxia_city"])
    redis_store, database = RedisStore(), DatabaseStore()
    redis_store.individual_top(competition.pk, 1)  # built now

    client = redis_client.get_client()
    calls = []
    original = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    for viewer in [*people, promoted, idle, None]:
        viewer_id = viewer.pk if viewer else None
        for limit in (1, 3, 50):
            calls.clear()
            got = redis_store.individual_board(competition.pk, limit, viewer_id)
            assert calls == ["EVALSHA"]
            expected = database.individual_board(competition.pk, limit, viewer_id)
            assert (got[0], got[2]) == (expected[0], expected[2]), (viewer_id, limit)
            assert got[1] is not None and expected[1] is not None


def _round_trips(monkeypatch) -> list:
    """Every write to a Redis socket from now on (one per round trip: a command or a pipeline)."""
    from redis.connection import Connection

    sent = []
    original = Connection.send_packed_command
    monkeypatch.setattr(
        Connection, "send_packed_command", lambda self, *a, **k: sent.append(1) or original(self, *a, **k)
    )
    return sent


def test_group_and_statistics_reads_are_one_round_trip_with_the_token(linxia, make_client, monkeypatch):
    """The region, unit and statistics reads send their script with the caller's token (core/tokens.py,
    `redis_prefetch`): one round trip per request, and the same body as the read made on its own."""
    competition = competition_with_bank(questions=5, attempts_per_day=20)
    unit = linxia["linxia_city"].organizations.first()
    for index in range(4):
        AttemptFactory(
            user=UserFactory(region=linxia["linxia_city"], organization=unit),
            competition=competition,
            correct=index,
        )
    token_client = make_client(linxia["admin"])
    forced = APIClient()
    forced.force_authenticate(linxia["admin"])  # no token: the view reads on its own
    base = f"/api/v1/competitions/{competition.pk}"
    paths = [
        f"{base}/leaderboard/?scope=region",
        f"{base}/leaderboard/?scope=organization&limit=3",
        f"{base}/stats/",
    ]
    for path in paths:
        token_client.get(path)  # the token is cached now
    sent = _round_trips(monkeypatch)
    for path in paths:
        sent.clear()
        with CaptureQueriesContext(connection) as queries:
            body = token_client.get(path).json()
        assert (len(sent), len(queries)) == (1, 0), path
        assert body == forced.get(path).json(), path
    sent.clear()
    token_client.get(f"{base}/leaderboard/?scope=individual")
    assert len(sent) == 2  # the token, then the ranking with the viewer's own line


def test_a_read_sent_with_the_token_survives_a_script_flush(linxia, make_client):
    competition = competition_with_bank()
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=3)
    client = make_client(linxia["admin"])
    url = f"/api/v1/competitions/{competition.pk}/stats/"
    before = client.get(url).json()
    redis_client.get_client().script_flush()  # as after a Redis restart: NOSCRIPT for the EVALSHA
    assert client.get(url).json() == before
    assert client.get(url).json() == before


def test_a_failed_read_ahead_falls_back_like_a_failed_read(linxia):
    """A reply read ahead that is an error is treated as the store being down: the database answers."""
    from leaderboard.selectors import live_numbers_get

    competition = competition_with_bank()
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=3)
    exact = live_numbers_get(competition_id=competition.pk)
    fallback = live_numbers_get(
        competition_id=competition.pk, prefetched=[redis_client.RedisError("connection reset")]
    )
    assert (fallback.totals, fallback.regions) == (exact.totals, exact.regions)


def test_a_value_that_is_no_text_leaves_the_connection_in_step():
    """get_with reads the token's entry last: an entry pickled by an earlier release fails to decode
    after every other reply was read, so the pooled connection answers the next command rightly."""
    import pickle

    from django.conf import settings

    raw = redis_client.Redis.from_url(settings.REDIS_URL)  # bytes in and out, as the cache framework
    raw.set("probe:pickled", pickle.dumps(("revoked",), 5))
    raw.close()
    client = redis_client.get_client()
    client.set("probe:text", "hello")
    call = redis_client.ScriptCall("return ARGV[1]", (), ("from the script",))
    assert redis_client.get_with("probe:text", [call]) == ("hello", ["from the script"])
    with pytest.raises(UnicodeDecodeError):
        redis_client.get_with("probe:pickled", [call, call])
    for _ in range(3):
        assert client.get("probe:text") == "hello"
        assert client.ping() is True
