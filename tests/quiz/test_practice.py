"""The learning loop (issue 18): wrong-answer rounds, mastery, topic rounds, my progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from leaderboard.selectors import live_numbers_get
from quiz.models import Attempt, AttemptItem, Participation
from quiz.selectors import progress
from quiz.services import practice
from quiz.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from quiz.services.banks import questions_set_active
from tests.factories import CompetitionFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(participant, make_client):
    return make_client(participant)


@pytest.fixture
def ranked():
    """An open ranked competition over three fire-safety questions, all drawn every time."""
    bank = make_bank(singles=3)
    return CompetitionFactory(banks=[bank], questions_per_attempt=3, attempts_per_day=10)


def _wrong_letter(item: AttemptItem) -> list[str]:
    return [next(o["key"] for o in item.options if o["key"] not in item.correct)]


def _sit(user, competition, *, right: set[int], now=None) -> Attempt:
    """Start and submit a ranked attempt, answering the questions in `right` right, the others wrong."""
    attempt, _created = attempt_start(user=user, competition=competition, now=now)
    answers = [
        {
            "question": item.question_id,
            "selected": item.correct if item.question_id in right else _wrong_letter(item),
        }
        for item in attempt.items.all()
    ]
    attempt_submit(user=user, attempt_id=attempt.pk, answers=answers, now=now)
    return attempt


def _practise(client, url: str, *, right: set[int]) -> dict:
    """Start a round through the API, answer each question (feedback per answer), submit; the result."""
    started = client.post(url)
    assert started.status_code == 201, started.json()
    body = started.json()
    assert body["is_practice"] is True
    for question in body["questions"]:
        item = AttemptItem.objects.get(attempt_id=body["id"], question_id=question["id"])
        selected = item.correct if question["id"] in right else _wrong_letter(item)
        saved = client.put(f"/api/v1/attempts/{body['id']}/answers/{question['id']}/", {"selected": selected})
        assert saved.status_code == 200
        assert saved.json()["is_correct"] is (question["id"] in right)
    return client.post(f"/api/v1/attempts/{body['id']}/submit/", {}).json()


def _book(client, status: str = "active") -> list[int]:
    return [
        row["question"] for row in client.get(f"/api/v1/me/wrong-answers/?status={status}").json()["results"]
    ]


def test_wrong_answer_round_payload_holds_no_answer_before_it_is_given(client, participant, ranked):
    first = ranked.banks.get().questions.order_by("pk").first()
    _sit(participant, ranked, right=set())
    body = client.post("/api/v1/me/wrong-answers/practice/").json()
    assert body["is_practice"] is True
    assert body["question_count"] == 3
    assert {"correct", "is_correct", "explanation"}.isdisjoint(body["questions"][0])
    assert {q["id"] for q in body["questions"]} == set(
        ranked.banks.get().questions.values_list("pk", flat=True)
    )
    assert first.pk in {q["id"] for q in body["questions"]}


def test_a_question_is_mastered_after_two_right_answers_in_a_row(client, participant, ranked):
    q1, q2, q3 = ranked.banks.get().questions.order_by("pk").values_list("pk", flat=True)
    _sit(participant, ranked, right={q2, q3})
    assert _book(client) == [q1]

    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    assert _book(client) == [q1]  # once right: still to learn
    assert client.get("/api/v1/me/progress/").json()["mastered"] == 0

    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    assert _book(client) == []
    assert _book(client, "mastered") == [q1]
    progress_body = client.get("/api/v1/me/progress/").json()
    assert (progress_body["wrong_questions"], progress_body["mastered"], progress_body["active"]) == (1, 1, 0)
    nothing = client.post("/api/v1/me/wrong-answers/practice/")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_practise")


def test_a_wrong_answer_brings_a_mastered_question_back(client, participant, ranked):
    q1, q2, q3 = ranked.banks.get().questions.order_by("pk").values_list("pk", flat=True)
    _sit(participant, ranked, right={q2, q3})
    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    assert _book(client, "mastered") == [q1]

    _sit(participant, ranked, right={q2, q3})  # wrong again in the competition
    assert _book(client) == [q1]
    assert _book(client, "mastered") == []
    assert client.get("/api/v1/me/wrong-answers/").json()["results"][0]["times_wrong"] == 2


def test_right_wrong_right_is_not_two_in_a_row(client, participant, ranked):
    q1, q2, q3 = ranked.banks.get().questions.order_by("pk").values_list("pk", flat=True)
    _sit(participant, ranked, right={q2, q3})
    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    _practise(client, "/api/v1/me/wrong-answers/practice/", right=set())
    _practise(client, "/api/v1/me/wrong-answers/practice/", right={q1})
    record = progress.user_question_records(user=participant)[q1]
    assert (record.times_wrong, record.right_streak, record.mastered) == (2, 1, False)
    assert _book(client) == [q1]


def test_leaving_a_round_unanswered_is_no_wrong_answer(client, participant, ranked):
    q1, q2, q3 = ranked.banks.get().questions.order_by("pk").values_list("pk", flat=True)
    _sit(participant, ranked, right={q2, q3})
    body = client.post("/api/v1/me/wrong-answers/practice/").json()
    client.post(f"/api/v1/attempts/{body['id']}/submit/", {})
    assert progress.user_question_records(user=participant)[q1].times_wrong == 1
    assert _book(client) == [q1]


def test_rounds_draw_most_often_wrong_then_least_recently_seen(participant):
    bank = make_bank(singles=4)
    q1, q2, q3, q4 = bank.questions.order_by("pk").values_list("pk", flat=True)
    start = timezone.now() - timedelta(days=3)
    competition = CompetitionFactory(banks=[bank], starts_at=start - timedelta(days=1), attempts_per_day=10)

    def sit(questions: list[int], at, right: set[int]) -> None:
        """An attempt drawing exactly `questions` (the others are switched off meanwhile)."""
        # Through the service the admin uses: a bare QuerySet.update() would not reach the draw
        # candidates' cache (quiz/selectors/draw.py).
        others = bank.questions.exclude(pk__in=questions).values_list("pk", flat=True)
        questions_set_active(question_ids=others, active=False)
        competition.questions_per_attempt = len(questions)
        competition.save()
        _sit(participant, competition, right=right, now=at)
        questions_set_active(question_ids=bank.questions.values_list("pk", flat=True), active=True)

    sit([q1, q2], start, right=set())  # q1, q2 wrong on day 0
    sit([q3], start + timedelta(days=1), right=set())  # q3 wrong on day 1
    sit([q4, q1], start + timedelta(days=2), right={q4})  # q1 wrong again, q4 right on day 2

    records = progress.user_question_records(user=participant).values()
    # q1 (twice wrong) first; then q2 (last seen day 0) before q3 (day 1); q4 was never wrong.
    assert [r.question_id for r in progress.wrong_practice_order(records=records)] == [q1, q2, q3]
    attempt, created = practice.practice_wrong_answers_start(user=participant)
    assert created is True
    assert [item.question_id for item in sorted(attempt.items.all(), key=lambda i: i.position)] == [
        q1,
        q2,
        q3,
    ]
    assert (attempt.kind, attempt.is_practice, attempt.competition_id) == (
        Attempt.Kind.WRONG_ANSWERS,
        True,
        competition.pk,
    )


def test_starting_again_resumes_the_running_round(client, participant, ranked):
    _sit(participant, ranked, right=set())
    first = client.post("/api/v1/me/wrong-answers/practice/")
    again = client.post("/api/v1/me/wrong-answers/practice/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_practice_rounds_touch_neither_participation_nor_live_figures(client, participant, ranked):
    _sit(participant, ranked, right=set())
    before = list(
        Participation.objects.values_list(
            "user_id", "competition_id", "points", "best_score", "submitted_attempts"
        )
    )
    live_before = live_numbers_get(competition_id=ranked.pk)
    category = ranked.banks.get().questions.first().category
    q_ids = set(ranked.banks.get().questions.values_list("pk", flat=True))
    _practise(client, "/api/v1/me/wrong-answers/practice/", right=q_ids)
    ranked.ends_at = timezone.now() - timedelta(minutes=1)  # over: its questions may be practised by topic
    ranked.save()
    _practise(client, f"/api/v1/competitions/{ranked.pk}/practice/?category={category}", right=q_ids)
    after = list(
        Participation.objects.values_list(
            "user_id", "competition_id", "points", "best_score", "submitted_attempts"
        )
    )
    assert after == before == [(participant.pk, ranked.pk, 0, 0, 1)]
    live_after = live_numbers_get(competition_id=ranked.pk)
    assert (live_after.totals, live_after.regions) == (live_before.totals, live_before.regions)
    assert live_after.totals.attempts == 1


def test_practice_rounds_do_not_use_the_competitions_daily_quota(client, participant, ranked):
    ranked.attempts_per_day = 1
    ranked.save()
    _sit(participant, ranked, right=set())
    client.post("/api/v1/me/wrong-answers/practice/")
    detail = client.get(f"/api/v1/competitions/{ranked.pk}/").json()
    assert detail["attempts_left_today"] == 0  # the one ranked attempt, not the round
    ranked.attempts_per_day = 2
    ranked.save()
    started = client.post(f"/api/v1/competitions/{ranked.pk}/attempts/")
    assert (started.status_code, started.json()["is_practice"]) == (201, False)


def test_topic_round_draws_only_that_category(client, participant):
    bank = make_bank(singles=3, category="消防安全")
    make_bank(singles=2, category="交通安全", bank=bank)
    closed = CompetitionFactory(
        banks=[bank], starts_at=timezone.now() - timedelta(days=9), ends_at=timezone.now() - timedelta(days=2)
    )
    body = client.post(f"/api/v1/competitions/{closed.pk}/practice/?category=交通安全").json()
    items = AttemptItem.objects.filter(attempt_id=body["id"])
    assert (body["question_count"], {i.category for i in items}) == (2, {"交通安全"})
    assert Attempt.objects.get(pk=body["id"]).topic == "交通安全"


def test_topic_round_leaves_out_a_running_ranked_competitions_questions(client, participant, ranked):
    practice_bank = make_bank(singles=2, category="消防安全")
    CompetitionFactory(banks=[practice_bank], is_practice=True)
    body = client.post(f"/api/v1/competitions/{ranked.pk}/practice/?category=消防安全").json()
    drawn = set(AttemptItem.objects.filter(attempt_id=body["id"]).values_list("question_id", flat=True))
    assert drawn == set(practice_bank.questions.values_list("pk", flat=True))


def test_topic_round_with_nothing_drawable_is_409(client, ranked):
    response = client.post(f"/api/v1/competitions/{ranked.pk}/practice/?category=消防安全")
    assert (response.status_code, response.json()["code"]) == (409, "not_enough_questions")


def test_topic_round_of_an_unknown_category_is_400(client, ranked):
    response = client.post(f"/api/v1/competitions/{ranked.pk}/practice/?category=核安全")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_category")
    assert client.post(f"/api/v1/competitions/{ranked.pk}/practice/").status_code == 400


def test_progress_gives_correct_rate_per_category_weakest_first(client, participant):
    bank = make_bank(singles=2, category="消防安全")
    make_bank(singles=2, category="交通安全", bank=bank)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=4)
    fire = set(bank.questions.filter(category="消防安全").values_list("pk", flat=True))
    road = list(bank.questions.filter(category="交通安全").values_list("pk", flat=True))
    _sit(participant, competition, right=fire | {road[0]})
    body = client.get("/api/v1/me/progress/").json()
    assert body["categories"] == [
        {
            "category": "交通安全",
            "answered": 2,
            "correct": 1,
            "correct_rate": 0.5,
            "competition": competition.pk,
        },
        {
            "category": "消防安全",
            "answered": 2,
            "correct": 2,
            "correct_rate": 1.0,
            "competition": competition.pk,
        },
    ]
    assert (body["wrong_questions"], body["mastered"], body["active"]) == (1, 0, 1)


def test_practice_answer_in_a_round_is_final(participant, ranked):
    _sit(participant, ranked, right=set())
    attempt, _created = practice.practice_wrong_answers_start(user=participant)
    item = attempt.items.all()[0]
    attempt_save_answer(
        user=participant, attempt_id=attempt.pk, question_id=item.question_id, selected=item.correct
    )
    with pytest.raises(ApplicationError) as error:
        attempt_save_answer(
            user=participant,
            attempt_id=attempt.pk,
            question_id=item.question_id,
            selected=_wrong_letter(item),
        )
    assert error.value.code == "already_answered"
