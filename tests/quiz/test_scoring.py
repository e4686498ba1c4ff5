"""Scoring rules, computed by hand (quiz/services/scoring.py documents them)."""

from quiz.services.scoring import ALL_OR_NOTHING, PARTIAL, score_item, speed_bonus


def _score(question_type: str, correct: str, selected: str | None, mode: str, points: int = 10):
    return score_item(
        question_type=question_type,
        correct=list(correct),
        selected=None if selected is None else list(selected),
        points_per_correct=points,
        mode=mode,
    )


def test_all_or_nothing_exact_answer_scores_full_points():
    result = _score("multiple", "ACD", "ACD", ALL_OR_NOTHING)
    assert (result.is_correct, result.points) == (True, 10)


def test_all_or_nothing_subset_of_multiple_scores_zero():
    result = _score("multiple", "ACD", "AC", ALL_OR_NOTHING)
    assert (result.is_correct, result.points) == (False, 0)


def test_unanswered_scores_zero_and_is_not_correct():
    result = _score("single", "B", None, ALL_OR_NOTHING)
    assert (result.is_correct, result.points) == (False, 0)


def test_partial_subset_scores_points_times_chosen_over_correct_rounded_down():
    # 10 × 2/3 = 6.67 -> 6; 10 × 1/3 = 3.33 -> 3
    two = _score("multiple", "ACD", "AD", PARTIAL)
    one = _score("multiple", "ACD", "C", PARTIAL)
    assert (two.is_correct, two.points) == (False, 6)
    assert (one.is_correct, one.points) == (False, 3)


def test_partial_with_any_wrong_option_scores_zero():
    result = _score("multiple", "ACD", "AB", PARTIAL)
    assert (result.is_correct, result.points) == (False, 0)


def test_partial_exact_answer_counts_as_correct():
    result = _score("multiple", "AC", "AC", PARTIAL, points=5)
    assert (result.is_correct, result.points) == (True, 5)


def test_partial_does_not_apply_to_single_choice():
    # a single-choice question has one correct letter; a wrong one is wrong in any mode
    assert _score("single", "B", "A", PARTIAL).points == 0
    assert _score("single", "B", "B", PARTIAL).points == 10


def test_speed_bonus_scales_with_time_left_and_share_correct():
    # 20 × (600-150)/600 × 8/10 = 20 × 0.75 × 0.8 = 12
    assert (
        speed_bonus(
            max_points=20, time_limit_seconds=600, duration_seconds=150, correct_count=8, question_count=10
        )
        == 12
    )


def test_speed_bonus_rounds_down():
    # 10 × 400/600 × 1/1 = 6.67 -> 6
    assert (
        speed_bonus(
            max_points=10, time_limit_seconds=600, duration_seconds=200, correct_count=1, question_count=1
        )
        == 6
    )


def test_speed_bonus_is_zero_without_a_correct_answer():
    assert (
        speed_bonus(
            max_points=20, time_limit_seconds=600, duration_seconds=1, correct_count=0, question_count=10
        )
        == 0
    )


def test_speed_bonus_is_zero_at_or_past_the_time_limit():
    assert (
        speed_bonus(
            max_points=20, time_limit_seconds=600, duration_seconds=700, correct_count=10, question_count=10
        )
        == 0
    )
