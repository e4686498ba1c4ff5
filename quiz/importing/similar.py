"""Likely duplicates: questions that differ only by option order or punctuation.

Not the same question by the import's rule (stem and options as written, see
`Question.fingerprint`), so both are kept; but an admin most likely wants one of them, so the
import lists them as warnings.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from quiz.importing.parser import ParsedQuestion
from quiz.models import OPTION_KEYS

_NOISE_RE = re.compile(r"[\W_]+")


def _loose(text: str) -> str:
    """Text without punctuation, spaces, case or width differences."""
    return _NOISE_RE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _options_key(question: Any) -> tuple:
    """The same for two questions with the same options, right and wrong alike, up to option
    order and punctuation."""
    answer = question.answer
    if not question.options:
        return (answer,)
    return tuple(sorted((_loose(text), OPTION_KEYS[i] in answer) for i, text in enumerate(question.options)))


def likely_duplicates(*, questions: list[ParsedQuestion], existing: Iterable[Any]) -> list[dict[str, Any]]:
    """Warnings `{row, column, message}` for each question of the file that is likely a duplicate
    of an earlier row or of a question already in the bank (one the file does not update).

    `existing` are the bank's questions (anything with pk, fingerprint, type, stem, options and
    answer). Options are compared only between questions whose stems match loosely: most do not,
    and this runs on every import of up to 20,000 rows.
    """
    in_file = {question.fingerprint for question in questions}
    by_stem: dict[tuple[str, str], list[Any]] = {}
    for question in existing:
        if question.fingerprint not in in_file:
            by_stem.setdefault((question.type, _loose(question.stem)), []).append(question)
    for question in questions:
        by_stem.setdefault((question.type, _loose(question.stem)), []).append(question)

    warnings: list[dict[str, Any]] = []
    for group in by_stem.values():
        if len(group) < 2:
            continue
        seen: dict[tuple, Any] = {}
        for question in group:
            other = seen.setdefault(_options_key(question), question)
            if other is question or not isinstance(question, ParsedQuestion):
                continue  # the first of its kind, or two of the bank's questions (not this file's)
            if isinstance(other, ParsedQuestion):
                message = _(
                    "Rows %(other)d and %(row)d are likely the same question: they differ only in option "
                    "order or punctuation."
                ) % {"other": other.row, "row": question.row}
            else:
                message = _(
                    "Row %(row)d is likely the same question as “%(stem)s” (id %(id)d) in the bank: they "
                    "differ only in option order or punctuation."
                ) % {"row": question.row, "stem": other.stem, "id": other.pk}
            warnings.append({"row": question.row, "column": "", "message": message})
    warnings.sort(key=lambda warning: warning["row"])
    return warnings
