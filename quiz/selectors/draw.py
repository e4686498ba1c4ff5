"""What an attempt of a competition may draw: `(id, type, category)` of the active questions of its
banks, read on every start of an attempt, and the drawn questions' content to freeze.

For a ranked competition the list depends only on its banks and their questions, so it is kept per
process, with the content a start freezes (stem, options, answer, explanation), and checked against
a generation token in the shared cache (one GET instead of reading every candidate row). The token
changes, at once and again after commit, whenever a question or a bank is saved or deleted, a
competition's banks change (quiz/signals.py) or a bank is imported (`quiz.services.banks.bank_import`:
bulk writes send no signal). An entry is also dropped after DRAW_CACHE_MAX_AGE seconds, which bounds
what the token cannot see: writes made with `QuerySet.update()` behind the services' back and,
without Redis (a per-process cache), changes made by another process.

A practice competition is never served from the cache: what it may draw also depends on other
competitions and on the clock (`quiz.selectors.answer_keys`), so that rule is applied exactly, on
the database, at every start.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from quiz.models import Competition, Question
from quiz.selectors import answer_keys

logger = logging.getLogger(__name__)

DRAW_CACHE_MAX_AGE = 60.0
_GENERATION_KEY = "quiz:draw-candidates:generation"
# The fields of a question that freezing it into an attempt item reads (quiz.services.drawing.freeze_item).
_CONTENT_FIELDS = ("id", "type", "stem", "options", "answer", "explanation", "category")


class DrawPool:
    """What one start may draw: `candidates`, `(id, type, category)` of every question it may draw
    (shared: do not change it), and `questions(ids)`, their content."""

    __slots__ = ("candidates", "_content")

    def __init__(
        self, candidates: list[tuple[int, str, str]], content: dict[int, Question] | None = None
    ) -> None:
        self.candidates = candidates
        self._content: dict[int, Question] = content or {}

    def questions(self, question_ids: list[int]) -> dict[int, Question]:
        """The questions of `question_ids` (read-only instances, shared with other starts); one query
        for those the pool does not hold. A question deleted meanwhile is left out."""
        content = self._content
        missing = [qid for qid in question_ids if qid not in content]
        if missing:
            content.update(Question.objects.only(*_CONTENT_FIELDS).in_bulk(missing))
        return {qid: content[qid] for qid in question_ids if qid in content}


# competition id -> (generation token, monotonic time read, pool)
_local: dict[int, tuple[str, float, DrawPool]] = {}


def _generation() -> str | None:
    try:
        token = cache.get(_GENERATION_KEY)
        if token is None:
            cache.add(_GENERATION_KEY, uuid.uuid4().hex, None)
            token = cache.get(_GENERATION_KEY)
        return token
    except Exception as exc:  # noqa: BLE001 - the cache client's errors: read the database instead
        logger.warning("Draw candidates not cached: the cache is unavailable (%s)", exc)
        return None


def draw_candidates(*, competition: Competition, now: datetime) -> list[tuple[int, str, str]]:
    """`(id, type, category)` of every question an attempt of `competition` may draw at `now`.

    A practice competition leaves out every question a ranked competition not over yet holds
    (`quiz.selectors.answer_keys`), read from the database each time. The list is shared: do not
    change it.
    """
    return draw_pool(competition=competition, now=now).candidates


def draw_pool(*, competition: Competition, now: datetime) -> DrawPool:
    """What an attempt of `competition` may draw at `now` (draw_candidates) and the drawn questions'
    content. A practice competition's pool is read afresh each time; a ranked one's is cached with
    every candidate's content, read in the same query (what a start freezes then costs no query)."""
    if competition.is_practice:
        questions = Question.objects.filter(bank__competitions=competition, is_active=True).exclude(
            fingerprint__in=answer_keys.guarded_fingerprints(now=now)
        )
        return DrawPool(list(questions.values_list("id", "type", "category")))
    generation = _generation()
    entry = _local.get(competition.pk)
    clock = time.monotonic()
    if (
        generation is not None
        and entry is not None
        and entry[0] == generation
        and clock - entry[1] < DRAW_CACHE_MAX_AGE
    ):
        return entry[2]
    questions = Question.objects.filter(bank__competitions=competition, is_active=True)
    if generation is None:  # nothing to keep it in: the candidates only, the content of the drawn ones later
        return DrawPool(list(questions.values_list("id", "type", "category")))
    content = {question.pk: question for question in questions.only(*_CONTENT_FIELDS)}
    pool = DrawPool([(qid, q.type, q.category) for qid, q in content.items()], content)
    _local[competition.pk] = (generation, clock, pool)
    return pool


def _new_generation() -> None:
    try:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception as exc:  # noqa: BLE001
        logger.error("Draw candidates not invalidated: the cache is unavailable (%s)", exc)
    _local.clear()


def draw_candidates_changed() -> None:
    """Questions, banks or a competition's banks changed: every process reads its candidates again.

    At once, and again after the surrounding transaction commits (a start that read the old rows
    in between must not keep them)."""
    _new_generation()
    transaction.on_commit(_new_generation)
