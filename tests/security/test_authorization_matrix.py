"""Who may do what: every endpoint of /api/schema/, the dashboard socket and the organizer pages,
against every kind of caller, as one table.

Callers (columns): anonymous; `participant` (Linxia City, owns the attempts the rows name);
`other` participant of the same county; `org` = organizer of Linxia City; `far` = organizer
of Dongxiang (another county); `admin`. The world is tests/security/world.py.

Each cell is the status expected (for the socket: the close code, or 101 when it is accepted and
streams figures). API rows authenticate with `Authorization: Token ...`; page rows with the
session cookie. Every request runs in a savepoint that is rolled back, so rows never see each
other's writes. Rows marked in SCOPED also check that the answer holds only the caller's own
part of the data (another county's figures are absent). `test_every_schema_operation_has_a_row`
fails as soon as an endpoint is added without a row here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from unittest import mock
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.asgi import application
from tests.security.world import PHONE, World, build_world, seed_linxia
from tests.support.keys import private_leaderboard_keys

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "participant", "other_participant", "organizer", "organizer_far", "admin")
NEAR, FAR = "622901", "622926"  # Linxia City, Dongxiang
ALL_COUNTIES = 8

# Placeholders: {competition} open competition; {attempt} the participant's submitted attempt;
# {running} its running attempt and {question} one of its questions; {bank}; {bulletin} issued by
# the Linxia City organizer; {user} the other participant; {organization} a unit of Linxia City;
# {draw} a prize draw made by the admin.
# fmt: off
MATRIX = [
    # method  path                                                        anon part other org  far admin
    ("GET",   "/api/v1/health/",                                            200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/ready/",                                             200, 200, 200, 200, 200, 200),
    ("GET",   "/api/schema/",                                               200, 200, 200, 200, 200, 200),
    ("GET",   "/api/docs/",                                                 200, 200, 200, 200, 200, 200),
    ("POST",  "/api/v1/auth/register/",                                     201, 201, 201, 201, 201, 201),
    ("POST",  "/api/v1/auth/token/",                                        200, 200, 200, 200, 200, 200),
    ("POST",  "/api/v1/auth/logout/",                                       401, 204, 204, 204, 204, 204),
    ("GET",   "/api/v1/me/",                                                401, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/regions/",                                           200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/organizations/",                                     200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/industries/",                                        200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/users/",                                             401, 403, 403, 403, 403, 200),
    ("PATCH", "/api/v1/users/{user}/",                                      401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/banks/",                                             401, 403, 403, 403, 403, 200),
    ("POST",  "/api/v1/banks/",                                             401, 403, 403, 403, 403, 201),
    ("POST",  "/api/v1/banks/{bank}/import/",                               401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/banks/{bank}/export/",                               401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/banks/import-template/",                             401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/competitions/",                                      200, 200, 200, 200, 200, 200),
    ("POST",  "/api/v1/competitions/",                                      401, 403, 403, 403, 403, 201),
    ("GET",   "/api/v1/competitions/{competition}/",                        200, 200, 200, 200, 200, 200),
    ("PATCH", "/api/v1/competitions/{competition}/",                        401, 403, 403, 403, 403, 200),
    # Organizers and admins are not ranked: a ranked (open) competition is 403 `not_ranked_role`.
    ("POST",  "/api/v1/competitions/{competition}/attempts/",               401, 200, 201, 403, 403, 403),
    ("GET",   "/api/v1/attempts/{attempt}/",                                401, 200, 404, 404, 404, 200),
    ("PUT",   "/api/v1/attempts/{running}/answers/{question}/",             401, 200, 404, 404, 404, 404),
    ("POST",  "/api/v1/attempts/{running}/submit/",                         401, 200, 404, 404, 404, 404),
    ("GET",   "/api/v1/me/attempts/",                                       401, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/me/wrong-answers/",                                  401, 200, 200, 200, 200, 200),
    # Practice rounds: only the participant has a wrong answer; the open ranked competition's
    # questions are never practised while it runs (feedback shows keys), so a topic round is 409.
    ("POST",  "/api/v1/me/wrong-answers/practice/",                         401, 201, 409, 409, 409, 409),
    ("POST",  "/api/v1/competitions/{competition}/practice/",               401, 409, 409, 409, 409, 409),
    ("GET",   "/api/v1/me/progress/",                                       401, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/me/notices/",                                        401, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/leaderboard/",            401, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/stats/",                  401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/stats/timeline/",         401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/statistics/",             401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/lagging-units/",          401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/item-analysis/",          401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/learning/",               401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/reminders/",              401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/draws/",                  200, 200, 200, 200, 200, 200),
    ("POST",  "/api/v1/competitions/{competition}/draws/",                  401, 403, 403, 403, 403, 201),
    ("GET",   "/api/v1/draws/{draw}/",                                      200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/draws/{draw}/verify/",                               200, 200, 200, 200, 200, 200),
    ("GET",   "/api/v1/draws/{draw}/export/",                               401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/competitions/{competition}/briefing/",               401, 403, 403, 200, 200, 200),
    ("GET",   "/api/v1/competitions/{competition}/supervision/",            401, 403, 403, 200, 200, 200),
    ("POST",  "/api/v1/competitions/{competition}/reminders/",              401, 403, 403, 201, 400, 201),
    ("GET",   "/api/v1/competitions/{competition}/bulletins/",              401, 403, 403, 200, 200, 200),
    ("POST",  "/api/v1/competitions/{competition}/bulletins/",              401, 403, 403, 201, 201, 201),
    ("GET",   "/api/v1/bulletins/{bulletin}/",                              401, 403, 403, 200, 404, 200),
    ("GET",   "/api/v1/bulletins/{bulletin}/export/",                       401, 403, 403, 200, 404, 200),
    ("POST",  "/api/v1/organizations/import/",                              401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/organizations/import-template/",                     401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/organizations/{organization}/invite/",               401, 403, 403, 200, 403, 200),
    ("POST",  "/api/v1/organizations/{organization}/invite/rotate/",        401, 403, 403, 403, 403, 200),
    ("GET",   "/api/v1/organizations/{organization}/invite/poster/",        401, 403, 403, 200, 403, 200),
    ("GET",   "/api/v1/organizations/invite-posters/",                      401, 403, 403, 200, 200, 200),
    ("WS",    "/ws/competitions/{competition}/live/",                      4401, 4403, 4403, 101, 101, 101),
    ("GET",   "/dashboard/",                                                302, 403, 403, 200, 200, 200),
    ("GET",   "/dashboard/competitions/{competition}/",                     302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/",                                                 302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/competitions/{competition}/",                      302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/competitions/{competition}/lagging/",              302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/competitions/{competition}/bulletins/",            302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/competitions/{competition}/items/",                302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/bulletins/{bulletin}/",                            302, 403, 403, 200, 404, 200),
    ("GET",   "/campaign/competitions/{competition}/briefing/",             302, 403, 403, 200, 200, 200),
    ("GET",   "/campaign/competitions/{competition}/invites/",              302, 403, 403, 200, 200, 200),
    ("POST",  "/campaign/competitions/{competition}/invites/",              302, 403, 403, 302, 302, 302),
    # Draws: the campaign page lists them (organizers) and takes the admin's form; the page per draw is public.
    ("GET",   "/campaign/competitions/{competition}/draws/",                302, 403, 403, 200, 200, 200),
    ("POST",  "/campaign/competitions/{competition}/draws/",                302, 403, 403, 403, 403, 302),
    ("GET",   "/draws/{draw}/",                                             200, 200, 200, 200, 200, 200),
    ("GET",   "/campaign/units/import/",                                    302, 403, 403, 403, 403, 200),
    ("GET",   "/attempts/{attempt}/",                                       302, 200, 404, 404, 404, 404),
    ("GET",   "/attempts/{attempt}/certificate/",                           302, 200, 404, 404, 404, 404),
    ("GET",   "/me/attempts/",                                              302, 200, 200, 200, 200, 200),
]
# fmt: on

UNITS_CSV = "单位名称,县区,行业,目标人数\n临夏市测试中学,临夏市,教育,30\n".encode()
BANK_CSV = "题型,题干,选项A,选项B,答案\n单选,新增题目：火警电话是？,119,110,A\n".encode()


def _bodies(world: World) -> dict[tuple[str, str], dict]:
    """Valid bodies, so that a refusal can only come from who the caller is."""
    return {
        ("POST", "/api/v1/auth/register/"): {
            "username": "newcomer",
            "password": "Quiz-Safety-2026",
            "display_name": "新人",
            "region": world.users["participant"].region_id,
        },
        ("POST", "/api/v1/auth/token/"): {"username": "owner", "password": "Safety@2026"},
        ("PATCH", "/api/v1/users/{user}/"): {"role": "participant"},
        ("POST", "/api/v1/banks/"): {"name": "新题库"},
        ("POST", "/api/v1/competitions/"): {
            "title": "新竞赛",
            "banks": [world.bank.pk],
            "starts_at": "2030-06-01T08:00:00+08:00",
            "ends_at": "2030-06-30T20:00:00+08:00",
        },
        ("PATCH", "/api/v1/competitions/{competition}/"): {"title": "改名的竞赛"},
        ("PUT", "/api/v1/attempts/{running}/answers/{question}/"): {"selected": ["A"]},
        ("POST", "/api/v1/attempts/{running}/submit/"): {"answers": []},
        ("POST", "/api/v1/competitions/{competition}/reminders/"): {
            "organizations": [world.near_unit],
            "threshold": "0.8",
        },
        ("POST", "/api/v1/competitions/{competition}/bulletins/"): {},
        ("POST", "/api/v1/competitions/{competition}/draws/"): {
            "title": "抽奖",
            "prizes": [{"name": "一等奖", "count": 1}],
            "seed": "518",
        },
    }


def _page_forms() -> dict[tuple[str, str], dict]:
    """Valid form posts of the pages, so that a refusal can only come from who the caller is."""
    return {
        ("POST", "/campaign/competitions/{competition}/invites/"): {"action": "generate"},
        ("POST", "/campaign/competitions/{competition}/draws/"): {
            "title": "页面抽奖",
            "seed": "518",
            "prize_name": ["一等奖"],
            "prize_count": ["1"],
        },
    }


def _uploads() -> dict[tuple[str, str], tuple[str, bytes]]:
    return {
        ("POST", "/api/v1/banks/{bank}/import/"): ("bank.csv", BANK_CSV),
        ("POST", "/api/v1/organizations/import/"): ("units.csv", UNITS_CSV),
    }


QUERIES = {
    "/api/v1/competitions/{competition}/lagging-units/": {"threshold": "0.9"},
    "/api/v1/competitions/{competition}/practice/": {"category": "消防安全"},
}


def _url(template: str, world: World) -> str:
    return template.format(
        competition=world.competition.pk,
        attempt=world.owner_attempt.pk,
        running=world.running_attempt.pk,
        question=world.question_id,
        bank=world.bank.pk,
        bulletin=world.bulletin_near.pk,
        user=world.users["other_participant"].pk,
        organization=world.near_unit,
        draw=world.draw,
    )


# --- what "only the caller's part" means, per row -------------------------------------------------


def _county_codes(rows: list[dict]) -> set[str]:
    return {row["code"] for row in rows}


def _expected_counties(role: str) -> set[str] | None:
    return {"organizer": {NEAR}, "organizer_far": {FAR}}.get(role)


def _check_stats(role: str, body: dict, world: World) -> None:
    codes = _county_codes(body["regions"])
    points = {"organizer": world.owner_attempt.score, "organizer_far": world.far_attempt.score}
    if role == "admin":
        assert (
            len(codes) == ALL_COUNTIES
            and body["points"] == world.owner_attempt.score + world.far_attempt.score
        )
    else:
        assert codes == _expected_counties(role)
        assert (body["points"], body["attempts"]) == (points[role], 1)


def _check_timeline(role: str, body: dict, world: World) -> None:
    assert body["points"][-1]["attempts"] == (2 if role == "admin" else 1)


def _check_statistics(role: str, body: dict, world: World) -> None:
    codes = {row["code"] for row in body["rows"]}
    if role == "admin":
        assert {NEAR, FAR} <= codes
    else:
        assert codes == _expected_counties(role)
    assert body["totals"]["attempts"] == (2 if role == "admin" else 1)


def _check_units(role: str, body: list, world: World) -> None:
    counties = {unit["county"]["code"] for unit in body}
    if role != "admin":
        assert counties <= _expected_counties(role)
        assert body, "the caller's own lagging units are listed"


def _check_item_analysis(role: str, body: dict, world: World) -> None:
    assert body["attempts"] == (2 if role == "admin" else 1)
    # The competition is open: no answer letter (nor a wrong option) leaves the server yet.
    assert body["keys_hidden"] is True
    assert {(row["answer"], row["most_chosen_wrong"]) for row in body["questions"]} == {(None, None)}


def _check_learning(role: str, body: dict, world: World) -> None:
    # The owner got question_count - 3 wrong, the far participant question_count - 1; nobody
    # has practised yet.
    wrong = {
        "organizer": world.owner_attempt.question_count - 3,
        "organizer_far": world.far_attempt.question_count - 1,
    }
    expected = wrong["organizer"] + wrong["organizer_far"] if role == "admin" else wrong[role]
    assert (body["wrong_questions"], body["mastered"], body["mastered_share"]) == (expected, 0, 0.0)
    assert (
        (body["region"] is None) if role == "admin" else (body["region"]["code"] in _expected_counties(role))
    )


def _check_reminders(role: str, body: list, world: World) -> None:
    reminded = {row["organization"]["id"] for row in body}
    assert reminded == (set() if role == "organizer_far" else {world.near_unit})


def _check_briefing(role: str, body: dict, world: World) -> None:
    if role == "admin":
        assert body["region"] is None and body["totals"]["attempts"] == 2
    else:
        assert body["region"]["code"] in _expected_counties(role)
        assert body["totals"]["attempts"] == 1


def _check_bulletins(role: str, body: list, world: World) -> None:
    seen = {row["id"] for row in body}
    expected = {
        "organizer": {world.bulletin_near.pk},
        "organizer_far": {world.bulletin_far.pk},
        "admin": {world.bulletin_near.pk, world.bulletin_far.pk},
    }
    assert seen == expected[role]


def _check_me(role: str, body: dict, world: World) -> None:
    assert body["username"] == world.users[role].username
    if role == "participant":
        assert body["phone"] == PHONE  # unmasked to its owner only


def _check_my_attempts(role: str, body: dict, world: World) -> None:
    mine = {world.owner_attempt.pk, world.running_attempt.pk} if role == "participant" else set()
    assert {row["id"] for row in body["results"]} == mine


def _check_wrong_answers(role: str, body: dict, world: World) -> None:
    attempts = {row["attempt"] for row in body["results"]}
    assert attempts == ({world.owner_attempt.pk} if role == "participant" else set())


def _check_wrong_practice(role: str, body: dict, world: World) -> None:
    wrong = {item.question_id for item in world.owner_attempt.items.all() if not item.is_correct}
    assert {q["id"] for q in body["questions"]} == wrong


def _check_progress(role: str, body: dict, world: World) -> None:
    answered = world.owner_attempt.question_count if role == "participant" else 0
    assert sum(row["answered"] for row in body["categories"]) == answered


def _check_users(role: str, body: dict, world: World) -> None:
    owner = next(row for row in body["results"] if row["username"] == "owner")
    assert owner["phone"] == PHONE[:3] + "****" + PHONE[-4:]  # masked even to an admin


def _check_page_scope(role: str, html: str, world: World) -> None:
    # The organizer pages name the counties of the caller's scope only.
    near, far = "临夏市", "东乡族自治县"
    if role == "organizer":
        assert near in html and far not in html
    elif role == "organizer_far":
        assert far in html and near not in html


SCOPED: dict[tuple[str, str], Callable] = {
    ("GET", "/api/v1/me/"): _check_me,
    ("GET", "/api/v1/users/"): _check_users,
    ("GET", "/api/v1/me/attempts/"): _check_my_attempts,
    ("GET", "/api/v1/me/wrong-answers/"): _check_wrong_answers,
    ("POST", "/api/v1/me/wrong-answers/practice/"): _check_wrong_practice,
    ("GET", "/api/v1/me/progress/"): _check_progress,
    ("GET", "/api/v1/competitions/{competition}/stats/"): _check_stats,
    ("GET", "/api/v1/competitions/{competition}/stats/timeline/"): _check_timeline,
    ("GET", "/api/v1/competitions/{competition}/statistics/"): _check_statistics,
    ("GET", "/api/v1/competitions/{competition}/lagging-units/"): _check_units,
    ("GET", "/api/v1/competitions/{competition}/item-analysis/"): _check_item_analysis,
    ("GET", "/api/v1/competitions/{competition}/learning/"): _check_learning,
    ("GET", "/api/v1/competitions/{competition}/reminders/"): _check_reminders,
    ("GET", "/api/v1/competitions/{competition}/bulletins/"): _check_bulletins,
    ("GET", "/api/v1/competitions/{competition}/briefing/"): _check_briefing,
    ("GET", "/campaign/competitions/{competition}/briefing/"): _check_page_scope,
    ("WS", "/ws/competitions/{competition}/live/"): _check_stats,
    ("GET", "/dashboard/competitions/{competition}/"): _check_page_scope,
    ("GET", "/campaign/competitions/{competition}/"): _check_page_scope,
}


# --- performing one cell -------------------------------------------------------------------------


def _ws(world: World, role: str, path: str) -> tuple[int, dict | None]:
    """(101 and the first message) when the socket is accepted and streams, else (close code, None)."""
    query = f"?token={world.token(role)}" if world.token(role) else ""

    async def scenario():
        communicator = WebsocketCommunicator(
            application, path + query, headers=[(b"origin", b"http://testserver")]
        )
        connected, _subprotocol = await communicator.connect(timeout=10)
        assert connected  # refusals are accepted first, then closed with a code the client can read
        try:
            first = await communicator.receive_json_from(timeout=10)
            if first.get("type") == "error":
                closing = await communicator.receive_output(timeout=10)
                return closing["code"], None
            return 101, first
        finally:
            await communicator.disconnect()

    # The consumer's database calls run on this thread (thread-sensitive), inside this test's
    # transaction; Channels would close that connection around each call (it is "in a transaction"),
    # so keep it open: the data the socket reads is then this module's uncommitted world.
    with mock.patch("channels.db.close_old_connections"):
        return async_to_sync(scenario)()


def _call(world: World, role: str, method: str, template: str):
    """(status, body) of one request by one caller; every write is rolled back."""
    path = _url(template, world)
    user = world.users[role]
    if method == "WS":
        return _ws(world, role, path)
    with transaction.atomic():
        if path.startswith("/api/"):
            client = APIClient()
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {world.token(role)}")
            upload = _uploads().get((method, template))
            if upload is not None:
                name, content = upload
                file = io.BytesIO(content)
                file.name = name
                response = client.post(path, {"file": file}, format="multipart")
            elif method == "GET":
                response = client.get(path, QUERIES.get(template, {}))
            else:
                body = _bodies(world).get((method, template), {})
                query = QUERIES.get(template)
                response = client.generic(
                    method,
                    f"{path}?{urlencode(query)}" if query else path,
                    data=json.dumps(body),
                    content_type="application/json",
                )
            payload = (
                response.json() if response.get("Content-Type", "").startswith("application/json") else None
            )
        else:
            client = Client()
            if user is not None:
                client.force_login(user)
            if method == "POST":
                response = client.post(path, _page_forms()[(method, template)])
            else:
                response = client.get(path)
            payload = response.content.decode() if response.status_code == 200 else None
        transaction.set_rollback(True)
    return response.status_code, payload


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for every row (each test's own transaction and each request's savepoint sit inside
    this outer one, rolled back at the end of the module)."""
    with private_leaderboard_keys(), django_db_blocker.unblock(), transaction.atomic():
        yield build_world(seed_linxia())
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        pytest.param(method, path, dict(zip(ROLES, codes, strict=True)), id=f"{method} {path}")
        for method, path, *codes in MATRIX
    ],
)
def test_each_caller_gets_the_answer_of_the_matrix(world, method, path, expected):
    answers = {role: _call(world, role, method, path) for role in ROLES}

    assert {role: status for role, (status, _body) in answers.items()} == expected
    check = SCOPED.get((method, path))
    if check is not None:
        for role, (status, body) in answers.items():
            if status in (200, 101):
                check(role, body, world)


def test_every_schema_operation_has_a_row():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    placeholders = {
        "{competition_id}": "{competition}",
        "{bank_id}": "{bank}",
        "{bulletin_id}": "{bulletin}",
        "{user_id}": "{user}",
        "{question_id}": "{question}",
        "{organization_id}": "{organization}",
        "{draw_id}": "{draw}",
    }

    def as_row(method: str, path: str) -> tuple[str, str]:
        for name, placeholder in placeholders.items():
            path = path.replace(name, placeholder)
        if "{attempt_id}" in path:  # owner-only reads name the submitted attempt, writes the running one
            path = path.replace("{attempt_id}", "{attempt}" if method == "GET" else "{running}")
        return method, path

    rows = {(method, path) for method, path, *_codes in MATRIX}
    missing = {as_row(method, path) for method, path in operations} - rows
    assert not missing, f"endpoints without a row in MATRIX: {sorted(missing)}"
    assert len(operations) >= 40
