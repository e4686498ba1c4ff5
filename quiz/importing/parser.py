"""From a sheet (`core.tabular.Table`) to validated questions, every problem listed at once."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.tabular import ErrorList, HeaderMap, Row, Table, normalize_header, resolve_header
from quiz.importing import columns as c
from quiz.importing.values import (
    CATEGORY_MAX_LENGTH,
    CellError,
    clean_stem,
    judge_options_are_true_false,
    options_from_columns,
    parse_choice_answer,
    parse_difficulty,
    parse_judge_answer,
    parse_type,
    question_problems,
    split_options,
)
from quiz.models import OPTION_KEYS, Question


@dataclass(frozen=True)
class ParsedQuestion:
    """One valid row, as the Question it becomes."""

    row: int
    type: str
    stem: str
    options: tuple[str, ...]
    answer: str
    explanation: str
    category: str
    difficulty: int
    fingerprint: str

    # Fields an import writes; comparing them tells "updated" from "unchanged".
    FIELDS = ("type", "stem", "options", "answer", "explanation", "category", "difficulty")

    def values(self) -> dict[str, Any]:
        return {
            name: list(self.options) if name == "options" else getattr(self, name) for name in self.FIELDS
        }


@dataclass
class ParsedBank:
    """The outcome of reading a sheet: valid questions (each once), row errors, warnings."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0

    def warn(self, *, row: int | None, message: str, column: str = "") -> None:
        self.warnings.append({"row": row, "column": column, "message": str(message)})


def looks_like_header(cells: tuple[str, ...]) -> bool:
    """A row naming the stem column: where the header is when a title sits above it."""
    stem_names = {
        normalize_header(n) for n in (c.STEM, *next(col.names for col in c.COLUMNS if col.key == c.STEM))
    }
    return any(normalize_header(cell) in stem_names for cell in cells)


def parse_bank_table(table: Table) -> ParsedBank:
    """Validate every row of a question-bank sheet.

    Raises TabularFileError for a header it cannot use. Otherwise returns all valid questions
    and, in `errors`, every problem of every other row with the row number the spreadsheet
    shows and the column as the file names it. A row repeated identically is kept once with a
    warning; a repeat that disagrees (same stem and options, another answer or type...) is an
    error on the later row.
    """
    header = resolve_header(table.header, columns=c.COLUMNS, ignore=c.IGNORED, header_row=table.header_row)
    result = ParsedBank()
    for name in header.unrecognised:
        result.warn(
            row=table.header_row,
            column=name,
            message=_("The column “%(name)s” is not recognised and was ignored.") % {"name": name},
        )

    first_seen: dict[str, ParsedQuestion] = {}
    for row in table.rows:
        cells = {key: row.get(index) for key, index in header.index.items()}
        if not any(cells.values()):
            continue  # blank apart from ignored columns (a lone 序号 ...)
        result.rows_read += 1
        question = _parse_row(row, cells, header, result.errors)
        if question is None:
            continue
        earlier = first_seen.get(question.fingerprint)
        if earlier is None:
            first_seen[question.fingerprint] = question
            result.questions.append(question)
        elif not (differing := _disagreement(earlier, question)):
            result.warn(
                row=row.number,
                column=header.name(c.STEM),
                message=_("Row %(row)d repeats row %(earlier)d exactly; the question is imported once.")
                % {"row": row.number, "earlier": earlier.row},
            )
        else:
            column_key = c.ANSWER if "answer" in differing else differing[0]
            result.errors.add(
                row=row.number,
                column=header.name(column_key, column_key),
                message=_(
                    "Same question (stem and options) as row %(earlier)d but with a different %(fields)s; "
                    "keep one of the two rows."
                )
                % {"earlier": earlier.row, "fields": ", ".join(str(_field_label(n)) for n in differing)},
            )
    return result


def _disagreement(earlier: ParsedQuestion, later: ParsedQuestion) -> list[str]:
    """Fields in which two rows of the same question differ (stem and options are equal up to
    spacing and full/half-width forms, which is what makes them the same question)."""
    return [
        name
        for name in ParsedQuestion.FIELDS
        if name not in ("stem", "options") and getattr(earlier, name) != getattr(later, name)
    ]


def _field_label(name: str) -> str:
    labels = {col.key: col.label for col in c.COLUMNS}
    return str(labels.get(name, name))


def _parse_row(
    row: Row, cells: dict[str, str], header: HeaderMap, errors: ErrorList
) -> ParsedQuestion | None:
    """One row into a ParsedQuestion, or None after adding its problems to `errors`."""
    before = len(errors)

    def column(key: str) -> str:
        return header.name(key) or _field_label(key)

    def read(key: str, reader, *args, **kwargs):
        try:
            return reader(cells.get(key, ""), *args, **kwargs)
        except CellError as exc:
            errors.add(row=row.number, column=column(key), message=str(exc))
            return None

    qtype = read(c.TYPE, parse_type)
    stem = read(c.STEM, clean_stem)
    difficulty = read(c.DIFFICULTY, parse_difficulty)
    explanation = cells.get(c.EXPLANATION, "").strip()
    category = cells.get(c.CATEGORY, "").strip()
    if len(category) > CATEGORY_MAX_LENGTH:
        errors.add(
            row=row.number,
            column=column(c.CATEGORY),
            message=_("The category is longer than %(max)d characters.") % {"max": CATEGORY_MAX_LENGTH},
        )

    # Options: the columns A..F, or all in one column as other systems export them.
    options: list[str] | None = []
    options_column = header.name(OPTION_KEYS[0]) or header.name(c.OPTIONS)
    separate = {letter: cells.get(letter, "") for letter in OPTION_KEYS if letter in header.index}
    combined = cells.get(c.OPTIONS, "")
    if any(separate.values()) and combined.strip():
        errors.add(
            row=row.number,
            column=column(c.OPTIONS),
            message=_("The options are given twice: in the columns A to F and in “%(name)s”; keep one.")
            % {"name": column(c.OPTIONS)},
        )
        options = None
    elif any(separate.values()):
        try:
            options = options_from_columns(separate)
        except CellError as exc:
            errors.add(row=row.number, column=options_column, message=str(exc))
            options = None
    elif combined.strip():
        options_column = column(c.OPTIONS)
        options = read(c.OPTIONS, split_options)

    answer = None
    if qtype == Question.Type.JUDGE and options is not None:
        # Some systems write a judge question's options out ("A.正确 B.错误"); they carry no
        # information beyond the answer's meaning and are dropped.
        true_false = judge_options_are_true_false(options)
        answer = read(c.ANSWER, parse_judge_answer, options=options if true_false else [])
        if true_false:
            options = []
    elif qtype is not None and options is not None:
        answer = read(c.ANSWER, parse_choice_answer, options=options)

    if qtype is not None and options is not None and answer is not None:
        for field_name, message in question_problems(type=qtype, options=options, answer=answer):
            errors.add(
                row=row.number,
                column=(options_column or column(c.OPTIONS)) if field_name == "options" else column(c.ANSWER),
                message=message,
            )
    if len(errors) > before or None in (qtype, stem, difficulty, options, answer):
        return None
    return ParsedQuestion(
        row=row.number,
        type=qtype,
        stem=stem,
        options=tuple(options),
        answer=answer,
        explanation=explanation,
        category=category,
        difficulty=difficulty,
        fingerprint=Question.compute_fingerprint(stem, options),
    )
