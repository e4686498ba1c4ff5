"""What an attempt of a competition may draw: `(id, type, category)` of the active questions of its
banks, read on every start of an attempt.

For a ranked competition the list depends only on its banks and their questions, so it is kept per
process and checked against a generation token in the shared cache (one GET instead of reading
every candidate row). The token changes, at once and again after commit, whenever a question or
a bank is saved or deleted, a competition's banks change (quiz/signals.py) or a bank is imported
(`quiz.services.banks.bank_import`: bulk writes send no signal). An entry is also dropped after
DRAW_CACHE_MAX_AGE seconds, which bounds what the token cannot see: writes made with
`QuerySet.update()` behind the services' back and, without Redis (a per-process cache), changes
made by another process.

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
# competition id -> (generation token, monotonic time read, candidates)
_local: dict[int, tuple[str, float, list[tuple[int, str, str]]]] = {}


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
    questions = Question.objects.filter(bank__competitions=competition, is_active=True)
    if competition.is_practice:
        questions = questions.exclude(fingerprint__in=answer_keys.guarded_fingerprints(now=now))
        return list(questions.values_list("id", "type", "category"))
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
    candidates = list(questions.values_list("id", "type", "category"))
    if generation is not None:
        _local[competition.pk] = (generation, clock, candidates)
    return candidates


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
