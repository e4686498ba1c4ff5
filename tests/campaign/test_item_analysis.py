"""Item analysis on the fixture campaign (tests/campaign/conftest.py), worked out by hand.

Six counted attempts, so k = round(0.27 x 6 = 1.62) = 2. Ordered by score (ties by id):
a1 30 | a3 20, a5 20, a6 20 | a2 10 | a4 0  ->  upper group {a1, a3}, lower group {a2, a4}.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaign.selectors import item_analysis
from campaign.selectors.items import group_size
from quiz.models import Competition
from tests.factories import CompetitionFactory

pytestmark = pytest.mark.django_db


def close(competition: Competition) -> None:
    competition.publication = Competition.Publication.CLOSED
    competition.save(update_fields=["publication"])


@pytest.fixture
def analysis(campaign) -> dict:
    # Answer letters show only once the competition has closed (issue 13, point 4).
    close(campaign.competition)
    return item_analysis(competition=campaign.competition, scope=None)


def by_question(analysis: dict, question) -> dict:
    return next(row for row in analysis["questions"] if row["question"] == question.pk)


def test_group_size_is_27_percent_rounded_and_never_overlapping():
    assert [group_size(n) for n in (0, 1, 2, 3, 6, 10, 100)] == [0, 0, 1, 1, 2, 3, 27]


def test_attempt_count_and_groups(analysis):
    assert analysis["attempts"] == 6
    assert analysis["group_size"] == 2


def test_q1_drawn_correct_rate_discrimination_and_wrong_option_through_the_shuffle(campaign, analysis):
    row = by_question(analysis, campaign.questions.q1)
    # drawn by a1, a2, a3, a4, a6 = 5; right in a1, a3 = 2; 2/5 = 0.4.
    assert (row["drawn"], row["answered"], row["correct"], row["correct_rate"]) == (5, 5, 2, 0.4)
    # upper a1 ok, a3 ok -> 2/2 = 1.0; lower a2 x, a4 x -> 0/2 = 0.0; D = 1.0.
    assert (row["upper_drawn"], row["upper_correct"], row["p_upper"]) == (2, 2, 1.0)
    assert (row["lower_drawn"], row["lower_correct"], row["p_lower"]) == (2, 0, 0.0)
    assert row["discrimination"] == 1.0
    # wrong picks: a2 C, a4 C, a6 shown A which is the question's own C -> C three times.
    assert row["most_chosen_wrong"] == {"option": "C", "text": "c1", "count": 3}


def test_q2_counts_an_unanswered_draw_as_not_correct(campaign, analysis):
    row = by_question(analysis, campaign.questions.q2)
    # drawn by a1, a3, a4, a5 = 4, answered 3 (a4 left it); right in a1, a5 -> 2/4 = 0.5.
    assert (row["drawn"], row["answered"], row["correct"], row["correct_rate"]) == (4, 3, 2, 0.5)
    # upper: a1 ok, a3 x -> 1/2 = 0.5; lower: only a4 drew it, x -> 0/1 = 0.0; D = 0.5.
    assert (row["p_upper"], row["p_lower"], row["discrimination"]) == (0.5, 0.0, 0.5)
    # the only wrong pick is a3's D.
    assert row["most_chosen_wrong"] == {"option": "D", "text": "d2", "count": 1}


def test_q3_judge_wrong_option_is_false(campaign, analysis):
    row = by_question(analysis, campaign.questions.q3)
    # drawn by a1, a2, a4, a5, a6 = 5; right in a1, a2, a5, a6 = 4 -> 0.8.
    assert (row["drawn"], row["correct"], row["correct_rate"]) == (5, 4, 0.8)
    # upper: a1 only (a3 did not draw it) -> 1/1; lower: a2 ok, a4 x -> 1/2 = 0.5; D = 0.5.
    assert (row["upper_drawn"], row["p_upper"], row["lower_drawn"], row["p_lower"]) == (1, 1.0, 2, 0.5)
    assert row["discrimination"] == 0.5
    assert row["most_chosen_wrong"] == {"option": "B", "text": "错误", "count": 1}


def test_q4_multiple_choice_wrong_option_is_the_picked_distractor(campaign, analysis):
    row = by_question(analysis, campaign.questions.q4)
    # drawn by a2, a3, a5, a6 = 4; right in a3, a6 -> 0.5.
    assert (row["drawn"], row["correct"], row["correct_rate"]) == (4, 2, 0.5)
    # upper: a3 ok -> 1/1; lower: a2 x -> 0/1; D = 1.0.
    assert (row["p_upper"], row["p_lower"], row["discrimination"]) == (1.0, 0.0, 1.0)
    # a2 picked AB, a5 ABC; the key is AC, so the distractor picked is B, twice.
    assert row["most_chosen_wrong"] == {"option": "B", "text": "b4", "count": 2}


def test_questions_come_hardest_first(campaign, analysis):
    q = campaign.questions
    # rates: Q1 0.4, Q2 0.5, Q4 0.5 (tie: by id), Q3 0.8.
    assert [row["question"] for row in analysis["questions"]] == [q.q1.pk, q.q2.pk, q.q4.pk, q.q3.pk]


def test_correct_rate_per_category(analysis):
    # fire: Q1 5 draws + Q2 4 = 9, right 2 + 2 = 4 -> 4/9 = 0.4444;
    # traffic: Q3 5 + Q4 4 = 9, right 4 + 2 = 6 -> 6/9 = 0.6667.
    assert analysis["categories"] == [
        {"category": "fire", "drawn": 9, "correct": 4, "correct_rate": 0.4444},
        {"category": "traffic", "drawn": 9, "correct": 6, "correct_rate": 0.6667},
    ]


def test_organizer_scope_analyses_only_its_attempts(campaign):
    body = item_analysis(competition=campaign.competition, scope=campaign.county_b)
    # B: a5 (20), a6 (20); k = round(0.54) = 1 -> upper a5 (lower id), lower a6.
    assert (body["attempts"], body["group_size"]) == (2, 1)
    q1 = next(row for row in body["questions"] if row["question"] == campaign.questions.q1.pk)
    # only a6 drew Q1 in B, wrong.
    assert (q1["drawn"], q1["correct"], q1["p_upper"], q1["p_lower"], q1["discrimination"]) == (
        1,
        0,
        None,
        0.0,
        None,
    )


def test_item_analysis_takes_few_queries(campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        item_analysis(competition=campaign.competition, scope=None)


def test_an_open_competition_hides_every_answer_letter_and_wrong_option(campaign):
    body = item_analysis(competition=campaign.competition, scope=None)

    assert body["keys_hidden"] is True
    assert [(row["answer"], row["most_chosen_wrong"]) for row in body["questions"]] == [(None, None)] * 4
    # The figures themselves stay: Q1 drawn 5 times, right twice.
    assert (
        by_question(body, campaign.questions.q1)["drawn"],
        by_question(body, campaign.questions.q1)["correct"],
    ) == (
        5,
        2,
    )


def test_a_closed_competition_shows_the_letters(campaign, analysis):
    assert analysis["keys_hidden"] is False
    assert by_question(analysis, campaign.questions.q4)["answer"] == "AC"


def test_a_closed_competition_hides_the_letters_a_running_ranked_competition_still_uses(campaign):
    close(campaign.competition)
    bank = campaign.questions.q1.bank
    CompetitionFactory(banks=[bank], ends_at=timezone.now() + timedelta(days=3))

    body = item_analysis(competition=campaign.competition, scope=None)

    assert body["keys_hidden"] is True
    assert {row["answer"] for row in body["questions"]} == {None}
