"""How an attempt is scored. Pure functions: no database, no clock.

The rules (also in docs/competitions.md):

- `all_or_nothing` (default): a question scores `points_per_correct` when the chosen letters are
  exactly the correct ones, else 0.
- `partial` (partial credit for multiple choice): single-choice and true/false questions are
  all-or-nothing. A multiple-choice answer that contains any wrong option scores 0; a non-empty
  subset of the correct options without wrong ones scores
  `points_per_correct × chosen / correct`, rounded down; only the exact set counts as correct
  (`is_correct`, `correct_count`).
- An unanswered question scores 0 and is not correct.
- Speed bonus (when `speed_bonus_max_points` > 0): `speed_bonus_max_points × remaining / time_limit
  × correct_count / question_count`, rounded down, where `remaining = time_limit - duration` in
  whole seconds (the duration is rounded up and capped at the time limit). It is 0 when no answer
  is correct, and scaled by the share of correct answers so that submitting at once with one lucky
  guess earns next to nothing.
- `score = sum of the questions' points + speed bonus`.
"""

from dataclasses import dataclass

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
MULTIPLE = "multiple"


@dataclass(frozen=True)
class ItemScore:
    is_correct: bool
    points: int


def score_item(
    *, question_type: str, correct: list[str], selected: list[str] | None, points_per_correct: int, mode: str
) -> ItemScore:
    """Score one answer; `correct` and `selected` are letters in the same (shown) lettering."""
    chosen = set(selected or [])
    right = set(correct)
    if not chosen:
        return ItemScore(is_correct=False, points=0)
    if chosen == right:
        return ItemScore(is_correct=True, points=points_per_correct)
    if mode == PARTIAL and question_type == MULTIPLE and right and chosen <= right:
        return ItemScore(is_correct=False, points=points_per_correct * len(chosen) // len(right))
    return ItemScore(is_correct=False, points=0)


def speed_bonus(
    *,
    max_points: int,
    time_limit_seconds: int,
    duration_seconds: int,
    correct_count: int,
    question_count: int,
) -> int:
    """The bonus for finishing early (see the module docstring); 0 when disabled or nothing is correct."""
    if max_points <= 0 or time_limit_seconds <= 0 or correct_count <= 0 or question_count <= 0:
        return 0
    remaining = max(0, time_limit_seconds - min(duration_seconds, time_limit_seconds))
    return (max_points * remaining * correct_count) // (time_limit_seconds * question_count)
