"""Attempt endpoints: payload shapes, no leaks before submission, resume, errors, review, history, wrong-answer book."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from quiz.models import Attempt, AttemptItem, Competition
from tests.factories import CompetitionFactory, QuestionFactory, UserFactory, make_bank

pytestmark = pytest.mark.django_db

START_KEYS = {
    "id",
    "competition",
    "competition_title",
    "status",
    "started_at",
    "deadline",
    "server_time",
    "time_limit_seconds",
    "question_count",
    "is_practice",
    "questions",
}
QUESTION_KEYS = {"id", "position", "type", "stem", "options", "selected"}
LEAK_KEYS = {"correct", "is_correct", "explanation", "key_map", "points", "review", "score", "correct_count"}


@pytest.fixture
def client(participant, make_client):
    return make_client(participant)


@pytest.fixture
def bank():
    return make_bank(singles=4, multiples=3, judges=3)


@pytest.fixture
def competition(bank):
    return CompetitionFactory(banks=[bank], questions_per_attempt=10, shuffle_options=True, pass_mark=60)


def _start(client, competition, **extra):
    return client.post(f"/api/v1/competitions/{competition.pk}/attempts/", format="json", **extra)


def _keys(value) -> set[str]:
    """Every dict key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def _right(attempt_id: int) -> dict[int, list[str]]:
    return {i.question_id: i.correct for i in AttemptItem.objects.filter(attempt_id=attempt_id)}


# --- start, resume, leaks ------------------------------------------------------------------------


def test_start_answers_201_with_the_attempt_and_no_answer_anywhere(client, competition, bank):
    response = _start(client, competition)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == START_KEYS
    assert (
        body["status"] == "in_progress" and body["question_count"] == 10 and body["time_limit_seconds"] == 600
    )
    assert all(set(q) == QUESTION_KEYS and q["selected"] is None for q in body["questions"])
    assert not (_keys(body) & LEAK_KEYS)
    raw = response.content.decode()
    for question in bank.questions.all():
        assert question.explanation not in raw
    assert "解析" not in raw


def test_judge_options_are_true_false_in_the_callers_language(client, competition):
    zh = _start(client, competition, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = client.get(f"/api/v1/attempts/{zh['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()

    zh_judge = [q["options"] for q in zh["questions"] if q["type"] == "judge"]
    en_judge = [q["options"] for q in en["questions"] if q["type"] == "judge"]
    assert zh_judge and all(
        o == [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}] for o in zh_judge
    )
    assert all(o == [{"key": "A", "text": "True"}, {"key": "B", "text": "False"}] for o in en_judge)


def test_starting_again_resumes_the_same_attempt_with_saved_answers(client, competition):
    first = _start(client, competition).json()
    question = first["questions"][0]
    key = question["options"][0]["key"]
    client.put(
        f"/api/v1/attempts/{first['id']}/answers/{question['id']}/", {"selected": [key]}, format="json"
    )

    again = _start(client, competition)

    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"]
    assert body["questions"][0]["selected"] == [key]
    assert [q["id"] for q in body["questions"]] == [q["id"] for q in first["questions"]]
    assert not (_keys(body) & LEAK_KEYS)


def test_save_answer_answers_question_selected_saved_at_and_nothing_more(client, competition):
    attempt = _start(client, competition).json()
    question = next(q for q in attempt["questions"] if q["type"] == "multiple")

    response = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/", {"selected": ["c", "A"]}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "selected", "saved_at"}
    assert (body["question"], body["selected"]) == (question["id"], ["A", "C"])
    assert "解析" not in response.content.decode()


def test_in_progress_attempt_detail_leaks_nothing(client, competition):
    attempt = _start(client, competition).json()

    body = client.get(f"/api/v1/attempts/{attempt['id']}/").json()

    assert set(body) == START_KEYS
    assert not (_keys(body) & LEAK_KEYS)


# --- start errors --------------------------------------------------------------------------------


def test_start_outside_the_window_is_409_not_open(client, bank):
    now = timezone.now()
    closed = CompetitionFactory(
        banks=[bank], starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1)
    )
    upcoming = CompetitionFactory(banks=[bank], starts_at=now + timedelta(days=1))

    for competition in (closed, upcoming):
        response = _start(client, competition)
        assert (response.status_code, response.json()["code"]) == (409, "not_open")
    assert Attempt.objects.count() == 0


def test_start_a_draft_is_404_for_participants_and_409_for_admins(client, bank, linxia, make_client):
    # A practice draft: admins are not ranked, so only practice is theirs to start.
    draft = CompetitionFactory(banks=[bank], publication=Competition.Publication.DRAFT, is_practice=True)

    assert _start(client, draft).status_code == 404
    response = _start(make_client(linxia["admin"]), draft)
    assert (response.status_code, response.json()["code"]) == (409, "not_open")


def test_start_beyond_the_quota_is_429_daily_limit_reached(client, bank):
    competition = CompetitionFactory(banks=[bank], attempts_per_day=2)
    for _ in range(2):
        attempt = _start(client, competition).json()
        client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")

    response = _start(client, competition)

    assert (response.status_code, response.json()["code"]) == (429, "daily_limit_reached")
    listed = client.get("/api/v1/competitions/").json()
    assert next(c for c in listed if c["id"] == competition.pk)["attempts_left_today"] == 0


def test_start_needs_a_login(api_client, competition):
    assert _start(api_client, competition).status_code in (401, 403)


def test_start_an_unknown_competition_is_404(client):
    assert client.post("/api/v1/competitions/999999/attempts/").status_code == 404


# --- answer errors -------------------------------------------------------------------------------


def test_answer_errors_have_their_codes_and_change_nothing(client, competition, participant, make_client):
    attempt = _start(client, competition).json()
    single = next(q for q in attempt["questions"] if q["type"] == "single")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{single['id']}/"
    stranger = QuestionFactory()

    cases = [
        (client.put(url, {"selected": ["Q"]}, format="json"), 400, "invalid_option"),
        (client.put(url, {"selected": ["A", "B"]}, format="json"), 400, "invalid_option"),
        (client.put(url, {"selected": "A"}, format="json"), 400, "invalid"),
        (client.put(url, "{not json", content_type="application/json"), 400, "parse_error"),
        (
            client.put(
                f"/api/v1/attempts/{attempt['id']}/answers/{stranger.pk}/", {"selected": ["A"]}, format="json"
            ),
            400,
            "question_not_in_attempt",
        ),
        (make_client(UserFactory()).put(url, {"selected": ["A"]}, format="json"), 404, "not_found"),
        (
            client.put(
                f"/api/v1/attempts/999999/answers/{single['id']}/", {"selected": ["A"]}, format="json"
            ),
            404,
            "not_found",
        ),
    ]

    for response, status_code, code in cases:
        assert (response.status_code, response.json()["code"]) == (status_code, code), response.json()
    assert AttemptItem.objects.filter(attempt_id=attempt["id"]).exclude(selected=None).count() == 0


def test_answer_after_the_deadline_is_409_deadline_passed(client, competition, monkeypatch):
    attempt = _start(client, competition).json()
    question = attempt["questions"][0]
    later = timezone.now() + timedelta(seconds=600 + settings.ATTEMPT_GRACE_SECONDS + 5)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/", {"selected": ["A"]}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "deadline_passed")
    assert client.get(f"/api/v1/attempts/{attempt['id']}/").json()["status"] == "submitted"


def test_answer_a_submitted_attempt_is_409_already_submitted(client, competition):
    attempt = _start(client, competition).json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")

    response = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}/",
        {"selected": ["A"]},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "already_submitted")


# --- submit and review ---------------------------------------------------------------------------


def test_submit_answers_the_result_with_review(client, competition):
    attempt = _start(client, competition).json()
    right = _right(attempt["id"])
    questions = attempt["questions"]
    # seven right, three wrong (a judge question answered with its other letter, say)
    answers = []
    for index, question in enumerate(questions):
        correct = right[question["id"]]
        if index < 7:
            answers.append({"question": question["id"], "selected": correct})
        else:
            wrong = next(o["key"] for o in question["options"] if o["key"] not in correct)
            answers.append({"question": question["id"], "selected": [wrong]})

    response = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["score"], body["correct_count"], body["question_count"]) == (
        "submitted",
        70,
        7,
        10,
    )
    assert body["passed"] is True and body["pass_mark"] == 60 and body["speed_bonus"] == 0
    assert isinstance(body["duration_seconds"], int)
    assert "questions" not in body
    review = {r["question"]: r for r in body["review"]}
    assert set(review) == set(right)
    for r in body["review"]:
        assert {"question", "selected", "correct", "is_correct", "explanation"} <= set(r)
        assert r["correct"] == right[r["question"]]
        assert r["explanation"]
    assert sum(r["is_correct"] for r in body["review"]) == 7


def test_submit_with_no_answers_scores_zero_and_fails_the_pass_mark(client, competition):
    attempt = _start(client, competition).json()

    body = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json").json()

    assert (body["score"], body["correct_count"], body["passed"]) == (0, 0, False)
    assert all(r["selected"] is None and r["is_correct"] is False for r in body["review"])


def test_submit_twice_returns_the_same_result(client, competition):
    attempt = _start(client, competition).json()
    right = _right(attempt["id"])
    answers = [{"question": qid, "selected": letters} for qid, letters in right.items()]
    first = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
    ).json()

    second = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}, format="json")

    assert second.status_code == 200
    body = second.json()
    body.pop("server_time"), first.pop("server_time")
    assert body == first
    assert body["score"] == 100


def test_submit_errors_have_their_codes(client, competition, make_client):
    attempt = _start(client, competition).json()
    url = f"/api/v1/attempts/{attempt['id']}/submit/"
    stranger = QuestionFactory()

    cases = [
        (
            client.post(url, {"answers": [{"question": stranger.pk, "selected": ["A"]}]}, format="json"),
            400,
            "question_not_in_attempt",
        ),
        (
            client.post(
                url,
                {"answers": [{"question": attempt["questions"][0]["id"], "selected": ["Z"]}]},
                format="json",
            ),
            400,
            "invalid_option",
        ),
        (client.post(url, {"answers": "all"}, format="json"), 400, "invalid"),
        (client.post(url, "[[", content_type="application/json"), 400, "parse_error"),
        (make_client(UserFactory()).post(url, {}, format="json"), 404, "not_found"),
    ]

    for response, status_code, code in cases:
        assert (response.status_code, response.json()["code"]) == (status_code, code), response.json()
    assert Attempt.objects.get(pk=attempt["id"]).status == "in_progress"


def test_only_the_owner_or_staff_may_read_an_attempt(client, competition, linxia, make_client):
    attempt = _start(client, competition).json()

    assert make_client(UserFactory()).get(f"/api/v1/attempts/{attempt['id']}/").status_code == 404
    assert make_client(linxia["organizer"]).get(f"/api/v1/attempts/{attempt['id']}/").status_code == 404
    staff = make_client(linxia["admin"]).get(f"/api/v1/attempts/{attempt['id']}/")
    assert staff.status_code == 200 and staff.json()["id"] == attempt["id"]


def test_reading_an_abandoned_attempt_finalises_it(client, competition, monkeypatch):
    attempt = _start(client, competition).json()
    question = attempt["questions"][0]
    client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
        {"selected": _right(attempt["id"])[question["id"]]},
        format="json",
    )
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    body = client.get(f"/api/v1/attempts/{attempt['id']}/").json()

    assert (body["status"], body["score"], body["correct_count"]) == ("submitted", 10, 1)
    assert len(body["review"]) == 10


# --- practice ------------------------------------------------------------------------------------


def test_practice_answer_gets_feedback_and_the_attempt_shows_it_on_resume(client, bank):
    practice = CompetitionFactory(
        banks=[bank], questions_per_attempt=5, is_practice=True, attempts_per_day=20
    )
    attempt = _start(client, practice).json()
    assert attempt["is_practice"] is True
    question = attempt["questions"][0]
    correct = _right(attempt["id"])[question["id"]]

    response = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/", {"selected": correct}, format="json"
    )

    body = response.json()
    assert (body["correct"], body["is_correct"], body["points"]) == (correct, True, 10)
    assert body["explanation"].startswith("解析")
    resumed = _start(client, practice).json()
    first, *rest = resumed["questions"]
    assert (first["correct"], first["is_correct"]) == (correct, True)
    assert all(not (set(q) & LEAK_KEYS) for q in rest)


# --- history and wrong-answer book ---------------------------------------------------------------


def test_my_attempts_lists_newest_first_paginated(client, competition, monkeypatch):
    ids = []
    for minutes in (0, 20):
        moment = timezone.now() + timedelta(minutes=minutes)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        attempt = _start(client, competition).json()
        client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
        ids.append(attempt["id"])

    body = client.get("/api/v1/me/attempts/").json()

    assert body["count"] == 2
    assert [a["id"] for a in body["results"]] == ids[::-1]
    assert body["results"][0]["score"] == 0 and body["results"][0]["passed"] is False
    assert "review" not in body["results"][0]


def test_wrong_answer_book_has_one_entry_per_question_with_answers(client, bank, participant):
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=10, attempts_per_day=5)
    wrong_twice = None
    for _ in range(2):
        attempt = _start(client, competition).json()
        right = _right(attempt["id"])
        answers = []
        for question in attempt["questions"]:
            correct = right[question["id"]]
            if question["type"] == "judge":
                other = next(o["key"] for o in question["options"] if o["key"] not in correct)
                answers.append({"question": question["id"], "selected": [other]})
                wrong_twice = question["id"]
            else:
                answers.append({"question": question["id"], "selected": correct})
        client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json")
    in_progress = _start(client, competition).json()  # its items are not in the book

    body = client.get("/api/v1/me/wrong-answers/").json()

    judges = set(bank.questions.filter(type="judge").values_list("pk", flat=True))
    entries = body["results"]
    assert {e["question"] for e in entries} == judges
    assert len(entries) == body["count"] == 3
    entry = next(e for e in entries if e["question"] == wrong_twice)
    assert entry["times_wrong"] == 2
    assert entry["correct"] == ["B"] and entry["selected"] == ["A"]
    assert entry["explanation"] and entry["stem"].startswith("判断题")
    assert entry["options"][0]["key"] == "A"
    assert all(e["attempt"] != in_progress["id"] for e in entries)
    assert json.dumps(entries, ensure_ascii=False).count("判断题") == 3
