"""Rankings and statistics through the API, on whichever store the tier configures."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import user_set_role
from quiz.events import attempt_scored
from quiz.models import Competition
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import AttemptFactory, UserFactory, competition_with_bank
from tests.factories.attempts import answers_for

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(minutes=30)


def _at(minutes: int):
    return T0 + timedelta(minutes=minutes)


def _person(county, unit=None, name="p"):
    return UserFactory(region=county, organization=unit, display_name=name)


def test_individual_ranking_is_points_then_best_score_then_who_got_there_first(linxia, make_client):
    county = linxia["linxia_city"]
    competition = competition_with_bank()
    early, late, steady, low = (_person(county, name=n) for n in ("early", "late", "steady", "low"))
    AttemptFactory(user=early, competition=competition, correct=3, at=_at(1))
    AttemptFactory(user=late, competition=competition, correct=3, at=_at(5))
    AttemptFactory(user=steady, competition=competition, correct=2, at=_at(0))
    AttemptFactory(user=steady, competition=competition, correct=1, at=_at(2))
    AttemptFactory(user=low, competition=competition, correct=1, at=_at(0))

    body = make_client(low).get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=individual").json()

    assert [e["name"] for e in body["entries"]] == ["early", "late", "steady", "low"]
    assert [e["rank"] for e in body["entries"]] == [1, 2, 3, 4]
    assert body["entries"][2] == {
        "rank": 3,
        "id": steady.pk,
        "name": "steady",
        "points": 30,
        "best_score": 20,
        "attempts": 2,
    }
    assert body["me"] == {
        "rank": 4,
        "id": low.pk,
        "name": "low",
        "points": 10,
        "best_score": 10,
        "attempts": 1,
    }
    assert body["scope"] == "individual"
    assert body["updated_at"].startswith(timezone.localtime(_at(5)).isoformat()[:19])


def test_limit_cuts_the_ranking(linxia, make_client):
    competition = competition_with_bank()
    for score in (10, 20, 30, 40):
        AttemptFactory(user=_person(linxia["linxia_city"]), competition=competition, correct=score // 10)
    body = (
        make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/leaderboard/?limit=2").json()
    )
    assert [e["points"] for e in body["entries"]] == [40, 30]


def test_region_and_unit_rankings_count_participants_attempts_and_points(linxia, make_client):
    city, dongxiang = linxia["linxia_city"], linxia["dongxiang"]
    city_unit = city.organizations.order_by("id").first()
    dx_unit = dongxiang.organizations.order_by("id").first()
    competition = competition_with_bank()
    a, b = _person(city, city_unit), _person(city, city_unit)
    c = _person(dongxiang, dx_unit)
    AttemptFactory(user=a, competition=competition, correct=2)
    AttemptFactory(user=a, competition=competition, correct=3)
    AttemptFactory(user=b, competition=competition, correct=1)
    AttemptFactory(user=c, competition=competition, correct=5)
    client = make_client(c)

    regions = client.get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=region").json()
    units = client.get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=organization").json()

    assert regions["entries"] == [
        {"rank": 1, "id": city.pk, "name": city.name_zh, "points": 60, "participants": 2, "attempts": 3},
        {
            "rank": 2,
            "id": dongxiang.pk,
            "name": dongxiang.name_zh,
            "points": 50,
            "participants": 1,
            "attempts": 1,
        },
    ]
    assert units["entries"] == [
        {
            "rank": 1,
            "id": city_unit.pk,
            "name": city_unit.name,
            "points": 60,
            "participants": 2,
            "attempts": 3,
        },
        {"rank": 2, "id": dx_unit.pk, "name": dx_unit.name, "points": 50, "participants": 1, "attempts": 1},
    ]


def test_region_names_follow_the_callers_language(linxia, make_client):
    competition = competition_with_bank()
    AttemptFactory(user=_person(linxia["dongxiang"]), competition=competition, correct=1)
    body = (
        make_client(linxia["admin"])
        .get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=region", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert body["entries"][0]["name"] == "Dongxiang Autonomous County"


def test_recording_the_same_attempt_twice_counts_it_once(linxia, make_client):
    from leaderboard.services import leaderboard_record_submission

    competition = competition_with_bank()
    attempt = AttemptFactory(user=_person(linxia["linxia_city"]), competition=competition, correct=4)
    leaderboard_record_submission(attempt_id=attempt.pk)
    leaderboard_record_submission(attempt_id=attempt.pk)

    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 1, 40)


def test_practice_attempts_never_count(linxia, make_client):
    competition = competition_with_bank()
    person = _person(linxia["linxia_city"])
    # Answered while the competition was a practice round (an admin's PATCH is_practice), then ranked.
    Competition.objects.filter(pk=competition.pk).update(is_practice=True)
    competition.refresh_from_db()
    AttemptFactory(user=person, competition=competition, correct=4)
    Competition.objects.filter(pk=competition.pk).update(is_practice=False)
    competition.refresh_from_db()
    AttemptFactory(user=person, competition=competition, correct=1)
    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 1, 10)


def test_stats_give_an_admin_every_county_with_rates_against_unit_targets(linxia, make_client):
    city, dongxiang = linxia["linxia_city"], linxia["dongxiang"]
    competition = competition_with_bank()
    for _ in range(23):
        AttemptFactory(user=_person(city), competition=competition, correct=1)
    AttemptFactory(user=_person(dongxiang), competition=competition, correct=3)

    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()

    assert (stats["participants"], stats["attempts"], stats["points"]) == (24, 24, 260)
    assert len(stats["regions"]) == 8
    by_code = {r["code"]: r for r in stats["regions"]}
    # Each demo county has five units with targets 8 + 12 + 10 + 6 + 5 = 41.
    assert by_code["622901"] == {
        "id": city.pk,
        "code": "622901",
        "name": city.name_zh,
        "participants": 23,
        "attempts": 23,
        "points": 230,
        "headcount_target": 41,
        "participation_rate": round(23 / 41, 4),
    }
    assert by_code["622926"]["participants"] == 1
    assert by_code["622923"]["participants"] == 0
    assert stats["headcount_target"] == 8 * 41


def test_stats_give_an_organizer_only_its_county(linxia, make_client):
    city, dongxiang = linxia["linxia_city"], linxia["dongxiang"]
    competition = competition_with_bank()
    AttemptFactory(user=_person(city), competition=competition, correct=1)
    AttemptFactory(user=_person(dongxiang), competition=competition, correct=3)
    AttemptFactory(user=_person(dongxiang), competition=competition, correct=3)

    stats = make_client(linxia["organizer"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()

    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 1, 10)
    assert [r["code"] for r in stats["regions"]] == ["622901"]
    assert stats["headcount_target"] == 41


def test_stats_last_submission_is_the_scopes_own_or_none(linxia, make_client):
    """Issue 15: 最近一次交卷 showed a time when nobody in the organizer's county had submitted."""
    city, dongxiang = linxia["linxia_city"], linxia["dongxiang"]
    competition = competition_with_bank()
    AttemptFactory(user=_person(dongxiang), competition=competition, correct=3, at=_at(4))
    url = f"/api/v1/competitions/{competition.pk}/stats/"

    assert make_client(linxia["organizer"]).get(url).json()["updated_at"] is None

    AttemptFactory(user=_person(city), competition=competition, correct=1, at=_at(2))
    organizer = make_client(linxia["organizer"]).get(url).json()["updated_at"]
    admin = make_client(linxia["admin"]).get(url).json()["updated_at"]

    assert organizer.startswith(timezone.localtime(_at(2)).isoformat()[:19])
    assert admin.startswith(timezone.localtime(_at(4)).isoformat()[:19])


def test_stats_of_a_prefecture_organizer_cover_all_its_counties(linxia, make_client):
    organizer = UserFactory(role=User.Role.ORGANIZER, scope_region=linxia["prefecture"], region=None)
    competition = competition_with_bank()
    AttemptFactory(user=_person(linxia["dongxiang"]), competition=competition, correct=3)
    stats = make_client(organizer).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert stats["participants"] == 1 and stats["points"] == 30
    assert len(stats["regions"]) == 8


def test_stats_refuse_participants_with_403_and_anonymous_with_401(
    linxia, participant, make_client, api_client
):
    competition = competition_with_bank()
    forbidden = make_client(participant).get(f"/api/v1/competitions/{competition.pk}/stats/")
    anonymous = api_client.get(f"/api/v1/competitions/{competition.pk}/stats/")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "permission_denied"
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"


def test_leaderboard_needs_a_login(api_client, linxia):
    competition = competition_with_bank()
    assert api_client.get(f"/api/v1/competitions/{competition.pk}/leaderboard/").status_code == 401


def test_unknown_competition_is_a_404(linxia, make_client):
    client = make_client(linxia["admin"])
    for url in ("/api/v1/competitions/999999/leaderboard/", "/api/v1/competitions/999999/stats/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("query", ["scope=county", "limit=0", "limit=abc", "limit=100000"])
def test_bad_leaderboard_parameters_are_a_400(linxia, make_client, query):
    competition = competition_with_bank()
    response = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/leaderboard/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_timeline_is_cumulative_per_step_and_scoped(linxia, make_client, settings):
    settings.LIVE_TIMELINE_BUCKET_SECONDS = 300
    city, dongxiang = linxia["linxia_city"], linxia["dongxiang"]
    competition = competition_with_bank()
    base = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    base -= timedelta(seconds=int(base.timestamp()) % 300)
    a, b = _person(city), _person(city)
    AttemptFactory(user=a, competition=competition, correct=1, at=base + timedelta(seconds=10))
    AttemptFactory(user=a, competition=competition, correct=1, at=base + timedelta(seconds=20))
    AttemptFactory(user=b, competition=competition, correct=1, at=base + timedelta(seconds=610))
    AttemptFactory(
        user=_person(dongxiang), competition=competition, correct=1, at=base + timedelta(seconds=620)
    )

    admin = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/timeline/").json()
    organizer = (
        make_client(linxia["organizer"]).get(f"/api/v1/competitions/{competition.pk}/stats/timeline/").json()
    )

    assert admin["bucket_seconds"] == 300
    assert [(p["participants"], p["attempts"]) for p in admin["points"]] == [(1, 2), (3, 4)]
    assert [(p["participants"], p["attempts"]) for p in organizer["points"]] == [(1, 2), (2, 3)]
    assert admin["points"][1]["at"] == timezone.localtime(base + timedelta(seconds=600)).isoformat()


@pytest.mark.django_db(transaction=True)
def test_a_submission_through_the_attempt_api_reaches_rankings_and_stats_after_commit(linxia, make_client):
    from tests.factories import competition_with_bank

    competition = competition_with_bank(questions=5)
    person = _person(linxia["dongxiang"], linxia["dongxiang"].organizations.first(), name="马六")
    client = make_client(person)
    attempt = client.post(f"/api/v1/competitions/{competition.pk}/attempts/").json()
    answers = [{"question": q["id"], "selected": ["B"]} for q in attempt["questions"][:3]]
    answers += [{"question": q["id"], "selected": ["A"]} for q in attempt["questions"][3:]]
    result = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
    ).json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json")  # a retry

    ranking = client.get(f"/api/v1/competitions/{competition.pk}/leaderboard/").json()
    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert result["score"] == 30
    assert ranking["entries"] == [
        {"rank": 1, "id": person.pk, "name": "马六", "points": 30, "best_score": 30, "attempts": 1}
    ]
    assert (stats["participants"], stats["attempts"], stats["points"]) == (1, 1, 30)


def _individuals(client, competition) -> list[str]:
    body = client.get(f"/api/v1/competitions/{competition.pk}/leaderboard/?scope=individual").json()
    return [e["name"] for e in body["entries"]]


def test_a_participant_promoted_mid_campaign_leaves_the_ranking_but_stays_counted(
    linxia, make_client, django_capture_on_commit_callbacks
):
    county = linxia["linxia_city"]
    competition = competition_with_bank()
    star, second, third = (_person(county, name=n) for n in ("star", "second", "third"))
    AttemptFactory(user=star, competition=competition, correct=5)
    AttemptFactory(user=second, competition=competition, correct=3)
    AttemptFactory(user=third, competition=competition, correct=1)
    viewer = make_client(third)
    assert _individuals(viewer, competition) == ["star", "second", "third"]

    with django_capture_on_commit_callbacks(execute=True):
        user_set_role(user=star, role=User.Role.ORGANIZER, scope_region_id=county.pk)

    base = f"/api/v1/competitions/{competition.pk}"
    body = viewer.get(f"{base}/leaderboard/?scope=individual").json()
    assert [(e["rank"], e["name"]) for e in body["entries"]] == [(1, "second"), (2, "third")]
    assert body["me"]["rank"] == 2
    assert make_client(star).get(f"{base}/leaderboard/?scope=individual").json()["me"] is None
    # What they answered as a participant still happened: totals and the county keep it.
    stats = make_client(linxia["admin"]).get(f"{base}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (3, 3, 90)
    region = viewer.get(f"{base}/leaderboard/?scope=region").json()["entries"][0]
    assert (region["participants"], region["points"]) == (3, 90)

    with django_capture_on_commit_callbacks(execute=True):
        user_set_role(user=star, role=User.Role.PARTICIPANT)
    assert _individuals(viewer, competition) == ["star", "second", "third"]


def test_an_attempt_recorded_after_a_promotion_counts_but_is_not_ranked(
    linxia, make_client, django_capture_on_commit_callbacks
):
    county = linxia["linxia_city"]
    competition = competition_with_bank()
    admin_to_be, other = _person(county, name="admin-to-be"), _person(county, name="other")
    AttemptFactory(user=admin_to_be, competition=competition, correct=2)
    AttemptFactory(user=other, competition=competition, correct=1)
    running, _created = attempt_start(user=admin_to_be, competition=competition)
    with django_capture_on_commit_callbacks(execute=True):
        user_set_role(user=admin_to_be, role=User.Role.ADMIN)
    # Started before the promotion, submitted after it: it counts, its author is not ranked.
    answers = answers_for(attempt=running, correct=4)
    attempt_submit(user=admin_to_be, attempt_id=running.pk, answers=answers)
    attempt_scored.send_robust(sender=None, attempt_id=running.pk)  # on_commit never fires in a test

    viewer = make_client(other)
    assert _individuals(viewer, competition) == ["other"]
    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (2, 3, 70)

    call_command("rebuild_leaderboards", stdout=io.StringIO())
    assert _individuals(viewer, competition) == ["other"]
    stats = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/stats/").json()
    assert (stats["participants"], stats["attempts"], stats["points"]) == (2, 3, 70)
