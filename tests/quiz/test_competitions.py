"""Competition endpoints (public list and detail, admin create and update) and the Django admin pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.exceptions import NotFound
from quiz.models import Attempt, Competition
from quiz.selectors.competitions import competition_get
from quiz.services import attempts as attempt_services
from tests.factories import CompetitionFactory, make_bank

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "id",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "questions_per_attempt",
    "time_limit_seconds",
    "attempts_per_day",
    "points_per_correct",
    "status",
}


@pytest.fixture
def bank():
    return make_bank(singles=10, judges=5)


@pytest.fixture
def admin_client(linxia, make_client):
    return make_client(linxia["admin"])


def _body(bank, **extra) -> dict:
    now = timezone.now()
    return {
        "title": "临夏州安全知识竞赛",
        "banks": [bank.pk],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=30)).isoformat(),
        "questions_per_attempt": 10,
        "time_limit_seconds": 600,
        "attempts_per_day": 3,
        "points_per_correct": 10,
        **extra,
    }


def test_public_list_shows_status_and_hides_drafts(api_client, bank):
    now = timezone.now()
    CompetitionFactory(title="open", banks=[bank])
    CompetitionFactory(title="upcoming", banks=[bank], starts_at=now + timedelta(days=1))
    CompetitionFactory(
        title="ended", banks=[bank], starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1)
    )
    CompetitionFactory(title="closed", banks=[bank], publication=Competition.Publication.CLOSED)
    CompetitionFactory(title="draft", banks=[bank], publication=Competition.Publication.DRAFT)

    response = api_client.get("/api/v1/competitions/")

    assert response.status_code == 200
    statuses = {c["title"]: c["status"] for c in response.json()}
    assert statuses == {"open": "open", "upcoming": "upcoming", "ended": "closed", "closed": "closed"}
    assert all(CONTRACT_KEYS <= set(c) and c["attempts_left_today"] is None for c in response.json())


def test_admins_see_drafts_in_the_list(admin_client, bank):
    CompetitionFactory(title="draft", banks=[bank], publication=Competition.Publication.DRAFT)

    assert [c["status"] for c in admin_client.get("/api/v1/competitions/").json()] == ["draft"]


def test_list_tells_a_logged_in_caller_the_attempts_left_today(participant, make_client, bank):
    competition = CompetitionFactory(banks=[bank], attempts_per_day=3)
    attempt, _ = attempt_services.attempt_start(user=participant, competition=competition)

    listed = make_client(participant).get("/api/v1/competitions/").json()

    assert listed[0]["attempts_left_today"] == 2
    assert Attempt.objects.get(pk=attempt.pk).status == "in_progress"


def test_detail_is_public_but_a_draft_is_404(api_client, bank):
    competition = CompetitionFactory(banks=[bank], pass_mark=60, is_practice=False)
    draft = CompetitionFactory(banks=[bank], publication=Competition.Publication.DRAFT)

    body = api_client.get(f"/api/v1/competitions/{competition.pk}/").json()
    assert (body["id"], body["pass_mark"], body["is_practice"], body["status"]) == (
        competition.pk,
        60,
        False,
        "open",
    )
    assert body["max_score"] == 50
    assert api_client.get(f"/api/v1/competitions/{draft.pk}/").status_code == 404


def test_admin_creates_a_competition_with_draw_rules(admin_client, bank):
    body = _body(
        bank,
        draw_rules=[{"count": 3, "category": "消防安全"}, {"count": 2, "type": "judge"}],
        shuffle_options=True,
        scoring_mode="partial",
        speed_bonus_max_points=20,
        pass_mark=60,
    )

    response = admin_client.post("/api/v1/competitions/", body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    competition = Competition.objects.get(pk=created["id"])
    assert created["status"] == "open" and created["banks"] == [bank.pk]
    assert competition.draw_rules == [{"count": 3, "category": "消防安全"}, {"count": 2, "type": "judge"}]
    assert (competition.scoring_mode, competition.speed_bonus_max_points, competition.shuffle_options) == (
        "partial",
        20,
        True,
    )


def test_admin_creates_a_draft_that_cannot_be_started(admin_client, participant, make_client, bank):
    created = admin_client.post("/api/v1/competitions/", _body(bank, status="draft"), format="json").json()

    assert created["status"] == "draft"
    assert make_client(participant).post(f"/api/v1/competitions/{created['id']}/attempts/").status_code == 404


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"ends_at": (timezone.now() - timedelta(days=1)).isoformat()}, "invalid_competition", "ends_at"),
        ({"banks": [999999]}, "unknown_bank", "banks"),
        ({"draw_rules": [{"count": 11, "type": "single"}]}, "invalid_draw_rules", "draw_rules"),
        ({"draw_rules": [{"count": 2, "type": "essay"}]}, "invalid_draw_rules", "draw_rules[0].type"),
        ({"draw_rules": [{"count": 2}]}, "invalid_draw_rules", "draw_rules[0]"),
        ({"draw_rules": "three fire"}, "invalid_draw_rules", None),
        ({"questions_per_attempt": 0}, "invalid", "questions_per_attempt"),
        ({"status": "open"}, "invalid", "status"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(admin_client, bank, change, code, field):
    response = admin_client.post("/api/v1/competitions/", _body(bank, **change), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    if field:
        assert field in [e["field"] for e in body["errors"]]
    assert Competition.objects.count() == 0


def test_only_admins_create_competitions(participant, linxia, make_client, api_client, bank):
    assert (
        make_client(participant).post("/api/v1/competitions/", _body(bank), format="json").status_code == 403
    )
    assert (
        make_client(linxia["organizer"]).post("/api/v1/competitions/", _body(bank), format="json").status_code
        == 403
    )
    assert api_client.post("/api/v1/competitions/", _body(bank), format="json").status_code in (401, 403)
    assert Competition.objects.count() == 0


def test_admin_closes_a_competition_and_starting_is_then_not_open(
    admin_client, participant, make_client, bank
):
    competition = CompetitionFactory(banks=[bank])

    response = admin_client.patch(
        f"/api/v1/competitions/{competition.pk}/", {"status": "closed"}, format="json"
    )

    assert (response.status_code, response.json()["status"]) == (200, "closed")
    start = make_client(participant).post(f"/api/v1/competitions/{competition.pk}/attempts/")
    assert (start.status_code, start.json()["code"]) == (409, "not_open")


def test_patch_changes_only_what_is_sent_and_validates_the_whole(admin_client, bank):
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=5, time_limit_seconds=300)

    ok = admin_client.patch(
        f"/api/v1/competitions/{competition.pk}/", {"time_limit_seconds": 900, "pass_mark": 30}, format="json"
    )
    bad = admin_client.patch(
        f"/api/v1/competitions/{competition.pk}/",
        {"draw_rules": [{"count": 6, "type": "judge"}]},
        format="json",
    )

    assert ok.status_code == 200 and (ok.json()["time_limit_seconds"], ok.json()["pass_mark"]) == (900, 30)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_draw_rules")
    competition.refresh_from_db()
    assert (competition.questions_per_attempt, competition.time_limit_seconds, competition.draw_rules) == (
        5,
        900,
        [],
    )


def test_participants_cannot_patch(participant, make_client, bank):
    competition = CompetitionFactory(banks=[bank])

    response = make_client(participant).patch(
        f"/api/v1/competitions/{competition.pk}/", {"status": "closed"}, format="json"
    )

    assert response.status_code == 403
    assert Competition.objects.get(pk=competition.pk).publication == "published"


# --- Django admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(linxia) -> Client:
    client = Client()
    client.force_login(linxia["admin"])
    return client


def test_admin_adds_a_competition_through_the_services(admin_browser, bank):
    now = timezone.localtime()
    form = {
        "title": "后台创建的竞赛",
        "description": "",
        "publication": "published",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=10)).strftime("%Y-%m-%d"),
        "ends_at_1": "00:00:00",
        "banks": [bank.pk],
        "questions_per_attempt": 5,
        "draw_rules": '[{"count": 2, "type": "judge"}]',
        "time_limit_seconds": 300,
        "attempts_per_day": 2,
        "points_per_correct": 5,
        "scoring_mode": "all_or_nothing",
        "speed_bonus_max_points": 0,
        "pass_mark": "",
    }

    response = admin_browser.post("/admin/quiz/competition/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    competition = Competition.objects.get(title="后台创建的竞赛")
    assert competition.draw_rules == [{"count": 2, "type": "judge"}]
    assert list(competition.banks.all()) == [bank]


def test_admin_form_rejects_draw_rules_beyond_the_question_count(admin_browser, bank):
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=5)
    page = admin_browser.get(f"/admin/quiz/competition/{competition.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name not in ("starts_at", "ends_at", "banks")}
    data.update(
        {
            "starts_at_0": timezone.localtime(competition.starts_at).strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "ends_at_0": timezone.localtime(competition.ends_at).strftime("%Y-%m-%d"),
            "ends_at_1": "23:00:00",
            "banks": [bank.pk],
            "draw_rules": '[{"count": 9, "type": "single"}]',
            "pass_mark": "",
        }
    )

    response = admin_browser.post(f"/admin/quiz/competition/{competition.pk}/change/", data)

    assert response.status_code == 200
    assert "draw_rules" in response.context["adminform"].form.errors
    assert Competition.objects.get(pk=competition.pk).draw_rules == []


def test_attempt_admin_is_read_only_and_shows_the_items(admin_browser, participant, bank):
    competition = CompetitionFactory(banks=[bank])
    attempt, _ = attempt_services.attempt_start(user=participant, competition=competition)

    listing = admin_browser.get("/admin/quiz/attempt/")
    detail = admin_browser.get(f"/admin/quiz/attempt/{attempt.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    item = attempt.items.all()[0]
    assert item.stem in detail.content.decode()
    assert admin_browser.get("/admin/quiz/attempt/add/").status_code == 403
    assert admin_browser.post(f"/admin/quiz/attempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_competition_admin_pages_render(admin_browser, bank):
    competition = CompetitionFactory(banks=[bank])

    assert admin_browser.get("/admin/quiz/competition/").status_code == 200
    assert admin_browser.get(f"/admin/quiz/competition/{competition.pk}/change/").status_code == 200


def test_schema_describes_the_competition_and_attempt_endpoints(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    for path in (
        "/api/v1/competitions/",
        "/api/v1/competitions/{competition_id}/",
        "/api/v1/competitions/{competition_id}/attempts/",
        "/api/v1/attempts/{attempt_id}/",
        "/api/v1/attempts/{attempt_id}/answers/{question_id}/",
        "/api/v1/attempts/{attempt_id}/submit/",
        "/api/v1/me/attempts/",
        "/api/v1/me/wrong-answers/",
    ):
        assert path in schema["paths"], path
    start = schema["paths"]["/api/v1/competitions/{competition_id}/attempts/"]["post"]["responses"]
    assert {"200", "201", "409", "429"} <= set(start)


@pytest.mark.parametrize(
    "draw_rules", [[], [{"count": 2, "category": "消防安全"}, {"count": 1, "type": "judge"}]]
)
def test_competition_get_loads_a_competition_as_the_orm_does(participant, draw_rules):
    competition = CompetitionFactory(banks=[make_bank(singles=3)], draw_rules=draw_rules, pass_mark=None)

    got = competition_get(competition_id=competition.pk, user=participant)
    stored = Competition.objects.get(pk=competition.pk)

    assert got.pk == stored.pk and not got._state.adding
    assert {f.attname: getattr(got, f.attname) for f in Competition._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in Competition._meta.concrete_fields
    }


@pytest.mark.parametrize("competition_id", [0, -1, 2**63, 10**30])
def test_competition_get_of_an_impossible_id_is_404(participant, competition_id):
    with pytest.raises(NotFound):
        competition_get(competition_id=competition_id, user=participant)
