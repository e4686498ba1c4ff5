"""Attempt services: drawing, freezing, answering, scoring, deadlines, quota, expiry (SQLite or PostgreSQL)."""

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from core.errors import ApplicationError
from quiz.models import Attempt, AttemptItem, Competition, Participation, Question
from quiz.services import attempts as svc
from tests.factories import CompetitionFactory, QuestionFactory, UserFactory, make_bank

pytestmark = pytest.mark.django_db

GRACE = timedelta(seconds=settings.ATTEMPT_GRACE_SECONDS)


@pytest.fixture
def user(participant):
    return participant


@pytest.fixture
def competition():
    return CompetitionFactory(banks=[make_bank(singles=5)], questions_per_attempt=5)


def _start(user, competition, now=None) -> Attempt:
    attempt, created = svc.attempt_start(user=user, competition=competition, now=now)
    assert created
    return attempt


def _items(attempt: Attempt) -> list[AttemptItem]:
    return list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))


def _answer_all(user, attempt: Attempt, right: int, now=None) -> None:
    """Answer the first `right` questions correctly and the rest wrongly (saved, not submitted)."""
    for index, item in enumerate(_items(attempt)):
        wrong = next(option["key"] for option in item.options if option["key"] not in item.correct)
        letters = item.correct if index < right else [wrong]
        svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=letters, now=now
        )


def _code(excinfo) -> tuple[int, str]:
    return excinfo.value.status_code, excinfo.value.code


# --- drawing and freezing ------------------------------------------------------------------------


def test_start_draws_the_configured_number_of_distinct_active_questions(user):
    bank = make_bank(singles=8)
    inactive = QuestionFactory(bank=bank, is_active=False)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=8)

    attempt = _start(user, competition)

    drawn = [item.question_id for item in _items(attempt)]
    assert len(drawn) == 8 == len(set(drawn)) == attempt.question_count
    assert inactive.pk not in drawn
    assert [item.position for item in _items(attempt)] == list(range(1, 9))


def test_draw_rules_fix_counts_per_category_and_type(user):
    bank = make_bank(singles=6, category="交通安全")
    make_bank(singles=6, category="消防安全", bank=bank)
    make_bank(singles=0, judges=4, category="用电安全", bank=bank)
    competition = CompetitionFactory(
        banks=[bank],
        questions_per_attempt=6,
        draw_rules=[{"count": 3, "category": "消防安全"}, {"count": 2, "type": "judge"}],
    )

    for _ in range(3):
        attempt = _start(user, competition, now=timezone.now())
        items = _items(attempt)
        counts = Counter(item.category for item in items)
        assert counts["消防安全"] >= 3
        assert sum(1 for item in items if item.type == "judge") >= 2
        assert len(items) == 6
        svc.attempt_submit(user=user, attempt_id=attempt.pk)


def test_not_enough_questions_is_409_and_writes_no_attempt(user):
    competition = CompetitionFactory(banks=[make_bank(singles=3)], questions_per_attempt=5)

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_start(user=user, competition=competition)

    assert _code(excinfo) == (409, "not_enough_questions")
    assert Attempt.objects.count() == 0
    assert AttemptItem.objects.count() == 0


def test_a_draw_rule_the_banks_cannot_fill_is_not_enough_questions(user):
    competition = CompetitionFactory(
        banks=[make_bank(singles=10)], questions_per_attempt=5, draw_rules=[{"count": 2, "type": "judge"}]
    )

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_start(user=user, competition=competition)

    assert _code(excinfo) == (409, "not_enough_questions")


def test_shuffled_letters_map_to_the_right_answers(user):
    bank = make_bank(singles=0, multiples=6)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=6, shuffle_options=True)
    seen_orders = set()

    for _ in range(3):
        attempt = _start(user, competition, now=timezone.now())
        for item in _items(attempt):
            question = Question.objects.get(pk=item.question_id)
            seen_orders.add(tuple(option["text"] for option in item.options))
            # every shown letter shows the text of the question's own letter it maps to
            for option in item.options:
                own = item.key_map[option["key"]]
                assert option["text"] == question.options["ABCDEF".index(own)]
            # the correct shown letters are exactly the shown letters of 安全帽, 防护手套, 护目镜
            shown_correct = sorted(
                o["key"] for o in item.options if o["text"] in {"安全帽", "防护手套", "护目镜"}
            )
            assert item.correct == shown_correct
        svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=[])
    assert len(seen_orders) > 1  # the options really were shuffled


def test_answering_the_shown_letters_of_a_shuffled_question_scores(user):
    competition = CompetitionFactory(banks=[make_bank(singles=0, multiples=5)], shuffle_options=True)
    attempt = _start(user, competition)
    answers = []
    for item in _items(attempt):
        texts = {o["key"]: o["text"] for o in item.options}
        answers.append(
            {"question": item.question_id, "selected": [k for k, t in texts.items() if t != "手机"]}
        )

    result, _ = svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)

    assert (result.correct_count, result.score) == (5, 50)


def test_judge_question_is_frozen_as_a_true_b_false_never_shuffled(user):
    competition = CompetitionFactory(banks=[make_bank(singles=0, judges=5)], shuffle_options=True)

    for item in _items(_start(user, competition)):
        assert item.options == [{"key": "A"}, {"key": "B"}]  # labels: judge_option_label only
        assert item.key_map == {"A": "A", "B": "B"}
        assert item.correct == ["B"]


def test_editing_a_question_after_the_draw_changes_nothing(user, competition):
    attempt = _start(user, competition)
    first = _items(attempt)[0]
    question = Question.objects.get(pk=first.question_id)
    question.stem = "改过的题干"
    question.options = ["110", "119", "120", "122", "999"]
    question.answer = "E"
    question.explanation = "改过的解析"
    question.is_active = False
    question.save()

    result, _ = svc.attempt_submit(
        user=user, attempt_id=attempt.pk, answers=[{"question": first.question_id, "selected": ["B"]}]
    )

    item = AttemptItem.objects.get(pk=first.pk)
    assert item.stem != "改过的题干" and item.explanation != "改过的解析"
    assert [o["text"] for o in item.options] == ["110", "119", "120", "122"]
    assert (item.correct, item.is_correct, item.points) == (["B"], True, 10)
    assert result.correct_count == 1


def test_attempt_snapshots_who_the_user_was_and_the_shanghai_day(user, competition):
    # 17:30 UTC on 1 June is 01:30 on 2 June in Shanghai
    competition.starts_at = datetime(2026, 5, 1, tzinfo=ZoneInfo("UTC"))
    competition.ends_at = datetime(2026, 7, 1, tzinfo=ZoneInfo("UTC"))
    competition.save()
    moment = datetime(2026, 6, 1, 17, 30, tzinfo=ZoneInfo("UTC"))

    attempt = _start(user, competition, now=moment)

    assert attempt.day.isoformat() == "2026-06-02"
    assert (attempt.region_id, attempt.organization_id) == (user.region_id, user.organization_id)
    assert attempt.industry_id == user.organization.industry_id
    assert attempt.deadline == moment + timedelta(seconds=600)


# --- starting: window, quota, resume -------------------------------------------------------------


def test_starting_outside_the_window_is_not_open(user):
    bank = make_bank(singles=5)
    now = timezone.now()
    upcoming = CompetitionFactory(banks=[bank], starts_at=now + timedelta(hours=1))
    ended = CompetitionFactory(
        banks=[bank], starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    closed = CompetitionFactory(banks=[bank], publication=Competition.Publication.CLOSED)
    draft = CompetitionFactory(banks=[bank], publication=Competition.Publication.DRAFT)

    for competition in (upcoming, ended, closed, draft):
        with pytest.raises(ApplicationError) as excinfo:
            svc.attempt_start(user=user, competition=competition)
        assert _code(excinfo) == (409, "not_open")
    assert Attempt.objects.count() == 0


def test_daily_quota_counts_attempts_started_that_day_then_resets(user, competition):
    day1 = timezone.now()
    for _ in range(3):
        attempt = _start(user, competition, now=day1)
        svc.attempt_submit(user=user, attempt_id=attempt.pk, now=day1)

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_start(user=user, competition=competition, now=day1)
    assert _code(excinfo) == (429, "daily_limit_reached")

    assert _start(user, competition, now=day1 + timedelta(days=1)).day == svc.quota_day(
        day1 + timedelta(days=1)
    )


def test_an_in_progress_attempt_counts_against_the_quota(user, competition):
    competition.attempts_per_day = 1
    competition.save()
    # Local noon inside the window, so "700 s later" is the same Asia/Shanghai day whenever the
    # suite runs (at 23:55 local it used to cross midnight and get a fresh quota).
    now = timezone.localtime(competition.starts_at).replace(hour=12, minute=0, second=0, microsecond=0)
    if now < competition.starts_at:
        now += timedelta(days=1)
    _start(user, competition, now=now)

    # after its deadline it is finalised, and the day's one attempt is used
    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_start(user=user, competition=competition, now=now + timedelta(seconds=700))
    assert _code(excinfo) == (429, "daily_limit_reached")


def test_start_resumes_the_running_attempt_with_its_saved_answers(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    item = _items(attempt)[2]
    svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=["C"], now=now
    )

    again, created = svc.attempt_start(user=user, competition=competition, now=now + timedelta(seconds=30))

    assert created is False
    assert again.pk == attempt.pk
    assert {i.question_id: i.selected for i in again.items.all()}[item.question_id] == ["C"]
    assert Attempt.objects.count() == 1


def test_a_running_attempt_may_be_resumed_after_the_competition_closed(user, competition):
    attempt = _start(user, competition)
    Competition.objects.filter(pk=competition.pk).update(publication=Competition.Publication.CLOSED)
    competition.refresh_from_db()

    again, created = svc.attempt_start(user=user, competition=competition)

    assert (again.pk, created) == (attempt.pk, False)


# --- answering -----------------------------------------------------------------------------------


def test_save_answer_normalises_and_clears(user, competition):
    attempt = _start(user, competition)
    item = _items(attempt)[0]

    saved = svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=["c"]
    )
    assert saved.selected == ["C"]
    cleared = svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=[]
    )
    assert cleared.selected is None
    assert AttemptItem.objects.get(pk=item.pk).selected is None


@pytest.mark.parametrize("selected", [["G"], ["A", "B"], ["Z"]])
def test_save_answer_rejects_options_the_question_does_not_have(user, competition, selected):
    attempt = _start(user, competition)
    item = _items(attempt)[0]

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=selected
        )

    assert _code(excinfo) == (400, "invalid_option")
    assert AttemptItem.objects.get(pk=item.pk).selected is None


def test_save_answer_to_a_question_not_in_the_attempt_is_400(user, competition):
    attempt = _start(user, competition)
    stranger = QuestionFactory()

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(user=user, attempt_id=attempt.pk, question_id=stranger.pk, selected=["A"])

    assert _code(excinfo) == (400, "question_not_in_attempt")


def test_save_answer_to_a_foreign_attempt_is_404(user, competition):
    attempt = _start(user, competition)
    other = UserFactory()

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(
            user=other, attempt_id=attempt.pk, question_id=_items(attempt)[0].question_id, selected=["A"]
        )

    assert _code(excinfo) == (404, "not_found")


def test_save_answer_after_deadline_plus_grace_is_refused_and_finalises_the_attempt(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    first, second = _items(attempt)[:2]
    svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=first.question_id, selected=["B"], now=now
    )

    within_grace = attempt.deadline + GRACE - timedelta(seconds=1)
    svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=second.question_id, selected=["B"], now=within_grace
    )
    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(
            user=user,
            attempt_id=attempt.pk,
            question_id=second.question_id,
            selected=["A"],
            now=attempt.deadline + GRACE + timedelta(seconds=1),
        )

    assert _code(excinfo) == (409, "deadline_passed")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.correct_count, attempt.score) == ("submitted", 2, 20)
    assert AttemptItem.objects.get(pk=second.pk).selected == ["B"]


def test_save_answer_to_a_submitted_attempt_is_already_submitted(user, competition):
    attempt = _start(user, competition)
    svc.attempt_submit(user=user, attempt_id=attempt.pk)

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=_items(attempt)[0].question_id, selected=["B"]
        )

    assert _code(excinfo) == (409, "already_submitted")


# --- submitting ----------------------------------------------------------------------------------


def test_all_or_nothing_score_is_correct_count_times_points(user):
    competition = CompetitionFactory(banks=[make_bank(singles=5)], points_per_correct=7, pass_mark=20)
    attempt = _start(user, competition)
    _answer_all(user, attempt, right=3)

    result, scored = svc.attempt_submit(user=user, attempt_id=attempt.pk)

    assert scored is True
    assert (result.status, result.correct_count, result.score) == ("submitted", 3, 21)
    assert [i.points for i in _items(attempt)] == [7, 7, 7, 0, 0]
    assert [i.is_correct for i in _items(attempt)] == [True, True, True, False, False]


def test_partial_credit_for_multiple_choice_end_to_end(user):
    competition = CompetitionFactory(
        banks=[make_bank(singles=0, multiples=3)],
        questions_per_attempt=3,
        scoring_mode="partial",
        points_per_correct=10,
    )
    attempt = _start(user, competition)
    a, b, c = _items(attempt)

    result, _ = svc.attempt_submit(
        user=user,
        attempt_id=attempt.pk,
        answers=[
            {"question": a.question_id, "selected": ["A", "C", "D"]},  # exact: 10, correct
            {"question": b.question_id, "selected": ["A", "D"]},  # 2 of 3, no wrong: 10*2//3 = 6
            {"question": c.question_id, "selected": ["A", "B"]},  # a wrong option: 0
        ],
    )

    assert [i.points for i in _items(attempt)] == [10, 6, 0]
    assert (result.correct_count, result.score) == (1, 16)


def test_body_answers_override_saved_ones_and_unsent_saved_ones_count(user, competition):
    attempt = _start(user, competition)
    a, b, c = _items(attempt)[:3]
    svc.attempt_save_answer(user=user, attempt_id=attempt.pk, question_id=a.question_id, selected=["B"])
    svc.attempt_save_answer(user=user, attempt_id=attempt.pk, question_id=b.question_id, selected=["B"])

    result, _ = svc.attempt_submit(
        user=user,
        attempt_id=attempt.pk,
        answers=[
            {"question": b.question_id, "selected": ["A"]},
            {"question": c.question_id, "selected": ["B"]},
        ],
    )

    assert [i.selected for i in _items(attempt)[:3]] == [["B"], ["A"], ["B"]]
    assert result.correct_count == 2


def test_submitting_twice_scores_once(user, competition):
    attempt = _start(user, competition)
    _answer_all(user, attempt, right=4)
    first, scored_first = svc.attempt_submit(user=user, attempt_id=attempt.pk)

    second, scored_second = svc.attempt_submit(
        user=user,
        attempt_id=attempt.pk,
        answers=[{"question": _items(attempt)[4].question_id, "selected": ["B"]}],
    )

    assert (scored_first, scored_second) == (True, False)
    assert (second.score, second.correct_count) == (first.score, first.correct_count) == (40, 4)
    participation = Participation.objects.get(user=user, competition=competition)
    assert (participation.points, participation.submitted_attempts, participation.best_score) == (40, 1, 40)


def test_submit_with_a_bad_answer_changes_nothing(user, competition):
    attempt = _start(user, competition)
    a = _items(attempt)[0]
    stranger = QuestionFactory()

    for answers, code in (
        (
            [{"question": a.question_id, "selected": ["B"]}, {"question": stranger.pk, "selected": ["A"]}],
            "question_not_in_attempt",
        ),
        ([{"question": a.question_id, "selected": ["X"]}], "invalid_option"),
    ):
        with pytest.raises(ApplicationError) as excinfo:
            svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)
        assert _code(excinfo) == (400, code)

    attempt.refresh_from_db()
    assert attempt.status == "in_progress"
    assert AttemptItem.objects.get(pk=a.pk).selected is None
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 0


def test_submit_a_foreign_attempt_is_404(user, competition):
    attempt = _start(user, competition)

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_submit(user=UserFactory(), attempt_id=attempt.pk)

    assert _code(excinfo) == (404, "not_found")


def test_submit_after_deadline_plus_grace_scores_as_it_stood(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    a, b = _items(attempt)[:2]
    svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=a.question_id, selected=["B"], now=now
    )

    late = attempt.deadline + GRACE + timedelta(seconds=5)
    result, scored = svc.attempt_submit(
        user=user, attempt_id=attempt.pk, answers=[{"question": b.question_id, "selected": ["B"]}], now=late
    )

    assert scored is True
    assert (result.correct_count, result.score, result.duration_seconds) == (1, 10, 600)
    assert AttemptItem.objects.get(pk=b.pk).selected is None


def test_submit_within_the_grace_takes_the_body_answers(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    answers = [{"question": i.question_id, "selected": ["B"]} for i in _items(attempt)]

    result, _ = svc.attempt_submit(
        user=user, attempt_id=attempt.pk, answers=answers, now=attempt.deadline + GRACE
    )

    assert (result.correct_count, result.score, result.duration_seconds) == (5, 50, 600)


def test_a_second_submission_after_the_deadline_is_409_and_changes_nothing(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    svc.attempt_submit(user=user, attempt_id=attempt.pk, now=now + timedelta(seconds=60))

    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_submit(
            user=user,
            attempt_id=attempt.pk,
            answers=[{"question": i.question_id, "selected": ["B"]} for i in _items(attempt)],
            now=attempt.deadline + GRACE + timedelta(seconds=1),
        )

    assert _code(excinfo) == (409, "already_submitted")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.correct_count) == (0, 0)
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 1


def test_participation_accumulates_points_best_score_and_when_points_rose(user, competition):
    t1 = timezone.now()
    first = _start(user, competition, now=t1)
    _answer_all(user, first, right=4, now=t1)
    svc.attempt_submit(user=user, attempt_id=first.pk, now=t1 + timedelta(seconds=100))
    t2 = t1 + timedelta(minutes=20)
    second = _start(user, competition, now=t2)
    _answer_all(user, second, right=2, now=t2)
    svc.attempt_submit(user=user, attempt_id=second.pk, now=t2 + timedelta(seconds=50))
    third = _start(user, competition, now=t2 + timedelta(minutes=20))
    svc.attempt_submit(user=user, attempt_id=third.pk, now=t2 + timedelta(minutes=21))

    p = Participation.objects.get(user=user, competition=competition)
    assert (p.points, p.best_score, p.submitted_attempts) == (60, 40, 3)
    assert p.points_reached_at == t2 + timedelta(seconds=50)  # the zero-score third one did not move it
    assert (p.region_id, p.organization_id) == (user.region_id, user.organization_id)


def test_speed_bonus_is_added_to_the_score(user):
    competition = CompetitionFactory(
        banks=[make_bank(singles=5)], speed_bonus_max_points=20, time_limit_seconds=600
    )
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    _answer_all(user, attempt, right=4, now=now)

    result, _ = svc.attempt_submit(
        user=user, attempt_id=attempt.pk, now=now + timedelta(seconds=149, milliseconds=200)
    )

    # duration rounds up to 150 s: 20 × 450/600 × 4/5 = 12
    assert (result.duration_seconds, result.score) == (150, 40 + 12)


def test_attempt_scored_is_published_only_after_commit(
    user, competition, scored_events, django_capture_on_commit_callbacks
):
    calls = scored_events
    attempt = _start(user, competition)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.attempt_submit(user=user, attempt_id=attempt.pk)
    assert calls == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert calls == [{"attempt_id": attempt.pk}]


def test_a_retried_submission_hands_the_same_attempt_again_and_counts_once(
    user, competition, django_capture_on_commit_callbacks
):
    from leaderboard.selectors import leaderboard_get

    attempt = _start(user, competition)
    _answer_all(user, attempt, right=2)

    with django_capture_on_commit_callbacks(execute=True) as first:
        svc.attempt_submit(user=user, attempt_id=attempt.pk)
    with django_capture_on_commit_callbacks(execute=True) as retry:
        svc.attempt_submit(user=user, attempt_id=attempt.pk)

    # The retry re-sends the attempt (its first answer may have been lost after the commit) ...
    assert (len(first), len(retry)) == (1, 1)
    # ... and the leaderboard still counts it once.
    board = leaderboard_get(competition_id=competition.pk, scope="individual", limit=10, viewer_id=user.pk)
    assert [(e["id"], e["points"]) for e in board["entries"]] == [
        (user.pk, Attempt.objects.get(pk=attempt.pk).score)
    ]
    assert Participation.objects.get(user=user, competition=competition).submitted_attempts == 1


def test_submit_stays_within_a_few_queries(user, competition, django_assert_max_num_queries):
    attempt = _start(user, competition)
    answers = [{"question": i.question_id, "selected": ["B"]} for i in _items(attempt)]

    # SAVEPOINT/RELEASE pairs aside: lock the attempt, read items, bulk-update items, update attempt,
    # update participation, insert the outbox row (PostgreSQL: two statements, tests/quiz/test_submit_paths.py).
    with django_assert_max_num_queries(8):
        svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)


# --- expiry --------------------------------------------------------------------------------------


def test_an_abandoned_attempt_is_finalised_exactly_once(
    user, competition, scored_events, django_capture_on_commit_callbacks
):
    calls = scored_events
    now = timezone.now()
    attempt = _start(user, competition, now=now)
    _answer_all(user, attempt, right=2, now=now)
    later = now + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert svc.attempt_expire_overdue(user=user, now=later) == 1
        assert svc.attempt_expire_overdue(user=user, now=later) == 0
        assert svc.attempt_expire_overdue(now=later + timedelta(hours=1)) == 0

    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.submitted_at, attempt.duration_seconds) == (
        "submitted",
        20,
        attempt.deadline,
        600,
    )
    assert Participation.objects.get(user=user, competition=competition).points == 20
    assert calls == [{"attempt_id": attempt.pk}]


def test_expiry_leaves_running_attempts_alone(user, competition):
    now = timezone.now()
    attempt = _start(user, competition, now=now)

    assert svc.attempt_expire_overdue(now=attempt.deadline + GRACE) == 0
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"


# --- practice ------------------------------------------------------------------------------------


@pytest.fixture
def practice():
    return CompetitionFactory(banks=[make_bank(singles=5)], is_practice=True, attempts_per_day=50)


def test_practice_answer_is_scored_at_once_and_final(user, practice):
    attempt = _start(user, practice)
    item = _items(attempt)[0]

    saved = svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=["A"]
    )
    assert (saved.is_correct, saved.points, saved.correct) == (False, 0, ["B"])
    again = svc.attempt_save_answer(
        user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=["A"]
    )
    assert again.selected == ["A"]
    with pytest.raises(ApplicationError) as excinfo:
        svc.attempt_save_answer(
            user=user, attempt_id=attempt.pk, question_id=item.question_id, selected=["B"]
        )
    assert _code(excinfo) == (409, "already_answered")

    result, _ = svc.attempt_submit(
        user=user, attempt_id=attempt.pk, answers=[{"question": item.question_id, "selected": ["B"]}]
    )
    assert AttemptItem.objects.get(pk=item.pk).selected == ["A"]
    assert result.correct_count == 0


def test_practice_never_counts_in_participation_or_the_leaderboard(
    user, practice, scored_events, django_capture_on_commit_callbacks
):
    calls = scored_events
    attempt = _start(user, practice)
    answers = [{"question": i.question_id, "selected": ["B"]} for i in _items(attempt)]

    with django_capture_on_commit_callbacks(execute=True):
        result, _ = svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)

    assert (result.score, result.is_practice) == (50, True)
    p = Participation.objects.get(user=user, competition=practice)
    assert (p.points, p.submitted_attempts, p.best_score) == (0, 0, 0)
    assert calls == []


def test_expire_attempts_command_finalises_every_overdue_attempt(user, competition, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    now = timezone.now()
    attempt = _start(user, competition, now=now - timedelta(hours=1))
    other = _start(UserFactory(), competition, now=now)
    out = StringIO()

    call_command("expire_attempts", stdout=out)

    assert Attempt.objects.get(pk=attempt.pk).status == "submitted"
    assert Attempt.objects.get(pk=other.pk).status == "in_progress"
    assert re.findall(r"\d+", out.getvalue()) == ["1"]


def test_scored_items_are_stored_as_computed_including_unanswered(user, competition):
    attempt = _start(user, competition)
    items = _items(attempt)
    right = [{"question": items[0].question_id, "selected": items[0].correct}]
    wrong_key = next(o["key"] for o in items[1].options if o["key"] not in items[1].correct)
    wrong = [{"question": items[1].question_id, "selected": [wrong_key]}]

    svc.attempt_submit(user=user, attempt_id=attempt.pk, answers=right + wrong)

    stored = _items(attempt)  # read back from the database, not the objects scoring held
    assert [(i.selected, i.is_correct, i.points) for i in stored] == [
        (items[0].correct, True, competition.points_per_correct),
        ([wrong_key], False, 0),
        (None, False, 0),
        (None, False, 0),
        (None, False, 0),
    ]
    assert stored[0].answered_at is not None and stored[2].answered_at is None
    # Unanswered stays SQL NULL (not a JSON null), so "answered" filters keep working.
    assert AttemptItem.objects.filter(attempt=attempt, selected__isnull=True).count() == 3
