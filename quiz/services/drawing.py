"""Drawing an attempt's questions and freezing them into its items (as the attempt shows them).

Used by attempt_start (quiz/services/attempts.py) and the practice rounds (quiz/services/practice.py).
"""

import random
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from quiz.models import JUDGE_KEYS, OPTION_KEYS, Attempt, AttemptItem, Competition, Question
from quiz.selectors.draw import draw_pool

# Read at every call (not bound as a default argument), so that a test can make draws repeatable.
_random = random.SystemRandom()


def _matches(rule: dict[str, Any], qtype: str, category: str) -> bool:
    return ("type" not in rule or rule["type"] == qtype) and (
        "category" not in rule or rule["category"] == category
    )


def _draw_ids(
    *, candidates: list[tuple[int, str, str]], competition: Competition, rng: random.Random
) -> list[int]:
    wanted = competition.questions_per_attempt
    chosen: list[int] = []
    taken: set[int] = set()
    for rule in competition.draw_rules or []:
        pool = [
            qid for qid, qtype, category in candidates if qid not in taken and _matches(rule, qtype, category)
        ]
        if len(pool) < rule["count"]:
            raise _not_enough(needed=rule["count"], available=len(pool), rule=rule)
        picked = rng.sample(pool, rule["count"])
        chosen.extend(picked)
        taken.update(picked)
    rest = wanted - len(chosen)
    if rest > 0:
        pool = [qid for qid, _type, _category in candidates if qid not in taken]
        if len(pool) < rest:
            raise _not_enough(needed=wanted, available=len(candidates), rule=None)
        chosen.extend(rng.sample(pool, rest))
    rng.shuffle(chosen)
    return chosen


def draw_questions(
    *, competition: Competition, now: datetime | None = None, rng: random.Random | None = None
) -> list[Question]:
    """Pick the questions of one attempt, in the order it shows them: without replacement, from the
    active questions of the competition's banks, first what each draw rule asks for, then the rest
    freely; shuffled.

    A practice competition leaves out every question a ranked competition not over yet holds
    (`quiz.selectors.answer_keys`): its feedback and review show keys. A ranked competition's
    questions come from the per-process cache of quiz/selectors/draw.py (read-only instances).
    Raises ApplicationError 409 `not_enough_questions` when the banks cannot fill the attempt.
    """
    pool = draw_pool(competition=competition, now=now or timezone.now())
    question_ids = _draw_ids(candidates=pool.candidates, competition=competition, rng=rng or _random)
    questions = pool.questions(question_ids)
    return [questions[qid] for qid in question_ids]


def _not_enough(*, needed: int, available: int, rule: dict[str, Any] | None) -> ApplicationError:
    return ApplicationError(
        _("The question banks do not hold enough active questions for this competition."),
        code="not_enough_questions",
        extra={"needed": needed, "available": available, **({"rule": rule} if rule else {})},
    )


def freeze_item(
    *, question: Question, position: int, shuffle: bool, rng: random.Random | None = None
) -> AttemptItem:
    """An unsaved AttemptItem: the question as this attempt shows it, with its answer in shown letters.

    With `shuffle`, single and multiple choice options are re-lettered in a random order; a judge
    question is always A true, B false. `key_map` maps shown letters to the question's own.
    """
    if question.type == Question.Type.JUDGE:
        # Keys only: the labels are quiz.models.judge_option_label's, in the reader's language
        # (AttemptItem.shown_options), never frozen in one language here.
        options = [{"key": key} for key in JUDGE_KEYS]
        key_map = {key: key for key in JUDGE_KEYS}
    else:
        original = list(zip(OPTION_KEYS, question.options, strict=False))
        if shuffle:
            (rng or _random).shuffle(original)
        options = []
        key_map = {}
        for shown_key, (own_key, text) in zip(OPTION_KEYS, original, strict=False):
            options.append({"key": shown_key, "text": text})
            key_map[shown_key] = own_key
    own_to_shown = {own: shown for shown, own in key_map.items()}
    correct = sorted(own_to_shown[letter] for letter in question.answer if letter in own_to_shown)
    return AttemptItem(
        question_id=question.pk,
        position=position,
        type=question.type,
        stem=question.stem,
        options=options,
        correct=correct,
        key_map=key_map,
        explanation=question.explanation,
        category=question.category,
    )


def attempt_items_freeze(*, competition: Competition, questions: list[Question]) -> list[AttemptItem]:
    """The unsaved items of a new attempt showing `questions` in that order (positions from 1)."""
    shuffle = competition.shuffle_options
    return [
        freeze_item(question=question, position=position, shuffle=shuffle)
        for position, question in enumerate(questions, start=1)
    ]


def attempt_items_create(
    *, attempt: Attempt, competition: Competition, questions: list[Question]
) -> list[AttemptItem]:
    """Freeze the drawn questions into the new attempt's items, in that order (one INSERT).

    Used by attempt_start and by the practice rounds (quiz/services/practice.py). Leaves the
    items prefetched on `attempt` (`attempt.items.all()` costs no query) and `attempt.competition` set.
    """
    items = attempt_items_freeze(competition=competition, questions=questions)
    for item in items:
        item.attempt = attempt
    AttemptItem.objects.bulk_create(items)
    attempt.competition = competition
    attempt._prefetched_objects_cache = {"items": items}
    return items
