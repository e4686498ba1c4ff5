"""Issue 13 point 4: the answer key of a running ranked competition cannot be harvested.

Practice shows keys (per-answer feedback, review), so a practice competition never draws a
question a ranked competition not over yet holds (same bank, or the same stem and options in
another bank); an admin publishing a practice that could not fill an attempt is refused, and
organizers and admins cannot answer (so cannot be ranked in) a ranked competition.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leaderboard import selectors as leaderboard_selectors
from quiz.models import Attempt, Competition, Question
from quiz.selectors.answer_keys import practice_held_back
from quiz.services import attempts as svc
from quiz.services.competitions import competition_create
from tests.factories import CompetitionFactory, QuestionFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked_bank():
    return make_bank(singles=6, judges=4)


@pytest.fixture
def ranked(ranked_bank):
    return CompetitionFactory(banks=[ranked_bank], questions_per_attempt=5, title="Ranked")


@pytest.fixture
def practice_bank():
    return make_bank(singles=3, category="交通安全")


def _start(client, competition):
    return client.post(f"/api/v1/competitions/{competition.pk}/attempts/", format="json")


def _submit(client, attempt_id: int) -> dict:
    return client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"answers": []}, format="json").json()


def test_practice_reviews_never_reveal_a_running_ranked_competitions_keys(
    participant, make_client, ranked, ranked_bank, practice_bank
):
    # The harvesting scenario: a practice over the ranked bank (plus a bank of its own), replayed.
    practice = CompetitionFactory(
        banks=[ranked_bank, practice_bank], questions_per_attempt=3, attempts_per_day=50, is_practice=True
    )
    client = make_client(participant)
    seen: set[int] = set()
    for _ in range(8):
        started = _start(client, practice)
        assert started.status_code == 201
        review = _submit(client, started.json()["id"])["review"]
        seen |= {row["question"] for row in review}

    assert seen == set(practice_bank.questions.values_list("pk", flat=True))
    assert seen.isdisjoint(ranked_bank.questions.values_list("pk", flat=True))


def test_a_copy_of_a_ranked_question_in_another_bank_is_held_back_too(participant, ranked, ranked_bank):
    copy_bank = make_bank(singles=0)
    for question in ranked_bank.questions.all():
        QuestionFactory(bank=copy_bank, type=question.type, stem=question.stem, options=question.options)
    practice = CompetitionFactory(banks=[copy_bank], questions_per_attempt=3, is_practice=True)

    with pytest.raises(svc.ApplicationError) as excinfo:
        svc.attempt_start(user=participant, competition=practice)

    assert (excinfo.value.status_code, excinfo.value.code) == (409, "not_enough_questions")
    assert practice_held_back(bank_ids=[copy_bank.pk], now=timezone.now()) == {
        "active": 10,
        "held_back": 10,
        "ranked": ["Ranked"],
    }


def test_practice_draws_the_questions_again_once_the_ranked_competition_closed(
    participant, ranked, ranked_bank
):
    practice = CompetitionFactory(banks=[ranked_bank], questions_per_attempt=10, is_practice=True)
    ranked.publication = Competition.Publication.CLOSED
    ranked.save()

    attempt, created = svc.attempt_start(user=participant, competition=practice)

    assert created and attempt.question_count == 10


def test_an_upcoming_or_draft_ranked_competition_guards_its_questions_too(participant, ranked_bank):
    later = timezone.now() + timedelta(days=2)
    CompetitionFactory(banks=[ranked_bank], starts_at=later, publication=Competition.Publication.DRAFT)
    practice = CompetitionFactory(banks=[ranked_bank], questions_per_attempt=1, is_practice=True)

    with pytest.raises(svc.ApplicationError) as excinfo:
        svc.attempt_start(user=participant, competition=practice)

    assert excinfo.value.code == "not_enough_questions"


def test_publishing_a_practice_that_could_not_fill_an_attempt_is_refused_with_the_reason(
    linxia, make_client, ranked, ranked_bank, practice_bank
):
    now = timezone.now()
    body = {
        "title": "Practice",
        "banks": [ranked_bank.pk, practice_bank.pk],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
        "questions_per_attempt": 5,
        "time_limit_seconds": 600,
        "attempts_per_day": 10,
        "points_per_correct": 10,
        "is_practice": True,
    }

    response = make_client(linxia["admin"]).post("/api/v1/competitions/", body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "practice_shares_ranked_bank"
    assert (data["extra"]["active"], data["extra"]["held_back"], data["extra"]["ranked"]) == (
        13,
        10,
        ["Ranked"],
    )
    assert data["errors"][0]["field"] == "banks"
    assert not Competition.objects.filter(title="Practice").exists()


def test_a_practice_with_enough_own_questions_is_created(ranked, ranked_bank, practice_bank):
    now = timezone.now()

    practice = competition_create(
        title="Practice",
        banks=[ranked_bank, practice_bank],
        starts_at=now,
        ends_at=now + timedelta(days=3),
        questions_per_attempt=3,
        is_practice=True,
    )

    assert practice.is_practice and practice.banks.count() == 2


def test_the_admin_form_refuses_a_practice_over_the_ranked_bank(linxia, ranked, ranked_bank):
    admin = linxia["admin"]
    admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    now = timezone.localtime()
    form = {
        "title": "Practice",
        "description": "",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=3)).strftime("%Y-%m-%d"),
        "ends_at_1": now.strftime("%H:%M:%S"),
        "banks": [ranked_bank.pk],
        "questions_per_attempt": 5,
        "draw_rules": "[]",
        "time_limit_seconds": 600,
        "attempts_per_day": 3,
        "points_per_correct": 10,
        "scoring_mode": "all_or_nothing",
        "speed_bonus_max_points": 0,
        "is_practice": "on",
        "publication": "published",
    }

    response = client.post("/admin/quiz/competition/add/", form)

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["banks"] == [
        "练习会显示答案，因此不会抽取尚未结束的排名竞赛（Ranked）的试题：这些题库的 10 道启用试题中有 10 道被保留，"
        "只剩 0 道，而每次需要 5 道。请使用单独的练习题库。"
    ]
    assert not Competition.objects.filter(title="Practice").exists()


@pytest.mark.parametrize("role", ["admin", "organizer"])
def test_organizers_and_admins_cannot_start_a_ranked_attempt(linxia, make_client, ranked, role):
    response = _start(make_client(linxia[role]), ranked)

    assert response.status_code == 403
    assert response.json()["code"] == "not_ranked_role"
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("role", ["admin", "organizer"])
def test_organizers_and_admins_may_practice(linxia, make_client, practice_bank, role):
    practice = CompetitionFactory(banks=[practice_bank], questions_per_attempt=2, is_practice=True)

    response = _start(make_client(linxia[role]), practice)

    assert response.status_code == 201


def test_rankings_hold_participants_only(linxia, make_client, participant, ranked):
    for user in (linxia["organizer"], linxia["admin"], participant):
        _start(make_client(user), ranked)
    attempt = Attempt.objects.get()
    _submit(make_client(participant), attempt.pk)

    board = leaderboard_selectors.leaderboard_get(competition_id=ranked.pk, scope="individual", limit=10)

    assert [entry["id"] for entry in board["entries"]] == [participant.pk]
    assert Attempt.objects.filter(user__role__in=["admin", "organizer"]).count() == 0
    assert Question.objects.filter(bank__competitions=ranked).count() == 10
