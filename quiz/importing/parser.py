"""From a sheet (`core.tabular.Table`) to validated questions, every problem listed at once."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.tabular import ErrorList, HeaderMap, Row, Table, normalize_header, resolve_header
from quiz.importing import columns as c
from quiz.importing.options import join_lines, split_option_cell
from quiz.importing.values import (
    CATEGORY_MAX_LENGTH,
    CHOICE,
    CellError,
    UnknownTypeError,
    clean_stem,
    judge_options_are_true_false,
    names_a_non_choice_type,
    options_from_columns,
    parse_choice_answer,
    parse_difficulty,
    parse_judge_answer,
    parse_type,
    question_problems,
    truth_of,
)
from quiz.models import OPTION_KEYS, Question, judge_option_label


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

    @property
    def answer_display(self) -> str:
        """The answer as the preview shows it (as `Question.answer_display`)."""
        return judge_option_label(self.answer) if self.type == Question.Type.JUDGE else self.answer

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
    shows and the column as the file names it. A row repeated identically, or under another
    category, is kept once with a warning; a repeat that disagrees (same stem and options,
    another answer or type...) is an error on the later row.
    """
    header = resolve_header(table.header, columns=c.COLUMNS, ignore=c.IGNORED, header_row=table.header_row)
    result = ParsedBank()
    for name in header.unrecognised:
        result.warn(
            row=table.header_row,
            column=name,
            message=_("The column “%(name)s” is not recognised and was ignored.") % {"name": name},
        )
    category_positions = header.positions(c.CATEGORY)
    if len(category_positions) > 1:
        names = " / ".join(table.header[i] for i in category_positions)
        result.warn(
            row=table.header_row,
            column=names,
            message=_(
                "The columns %(columns)s all name a category: each question's category is made of "
                "them all, as “%(example)s”."
            )
            % {
                "columns": ", ".join(f"“{table.header[i]}”" for i in category_positions),
                "example": names,
            },
        )

    first_seen: dict[str, ParsedQuestion] = {}
    columns = list(header.index.items())
    for row in table.rows:
        # read_table makes every row at least as wide as the header: no bounds check needed.
        cells = {key: row.cells[index] for key, index in columns}
        if len(category_positions) > 1:
            parts = dict.fromkeys(row.get(i).strip() for i in category_positions)
            cells[c.CATEGORY] = " / ".join(part for part in parts if part)
        if not any(cells.values()):
            continue  # blank apart from ignored columns (a lone 序号 ...)
        result.rows_read += 1
        question = _parse_row(row, cells, header, result)
        if question is None:
            continue
        earlier = first_seen.get(question.fingerprint)
        if earlier is None:
            first_seen[question.fingerprint] = question
            result.questions.append(question)
        elif not (differing := _disagreement(earlier, question)):
            if earlier.category == question.category:
                message = _("Row %(row)d repeats row %(earlier)d exactly; the question is imported once.") % {
                    "row": row.number,
                    "earlier": earlier.row,
                }
            else:
                message = _(
                    "Row %(row)d repeats row %(earlier)d under another category (“%(category)s”); the "
                    "question is imported once, under “%(kept)s”."
                ) % {
                    "row": row.number,
                    "earlier": earlier.row,
                    "category": question.category,
                    "kept": earlier.category,
                }
            result.warn(row=row.number, column=header.name(c.STEM), message=message)
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
    spacing and full/half-width forms, which is what makes them the same question). The
    category is not one: the same question filed under two categories is still one question."""
    return [
        name
        for name in ParsedQuestion.FIELDS
        if name not in ("stem", "options", "category") and getattr(earlier, name) != getattr(later, name)
    ]


def _field_label(name: str) -> str:
    labels = {col.key: col.label for col in c.COLUMNS}
    return str(labels.get(name, name))


def _parse_row(
    row: Row, cells: dict[str, str], header: HeaderMap, result: ParsedBank
) -> ParsedQuestion | None:
    """One row into a ParsedQuestion, or None after adding its problems to `result.errors`
    (notes about it go to `result.warnings`)."""
    errors = result.errors
    before = len(errors)

    def column(key: str) -> str:
        return header.name(key) or _field_label(key)

    def read(key: str, reader, *args, **kwargs):
        try:
            return reader(cells.get(key, ""), *args, **kwargs)
        except CellError as exc:
            errors.add(row=row.number, column=column(key), message=str(exc))
            return None

    unknown_type = None
    try:
        qtype = parse_type(cells.get(c.TYPE, ""))
    except UnknownTypeError as exc:
        qtype, unknown_type = None, exc
    except CellError as exc:
        qtype = None
        errors.add(row=row.number, column=column(c.TYPE), message=str(exc))
    stem = read(c.STEM, lambda text: clean_stem(join_lines(text)))
    difficulty = read(c.DIFFICULTY, parse_difficulty)
    explanation = join_lines(cells.get(c.EXPLANATION, "").strip())
    category = join_lines(cells.get(c.CATEGORY, "").strip())
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
            options = [join_lines(option) for option in options_from_columns(separate)]
        except CellError as exc:
            errors.add(row=row.number, column=options_column, message=str(exc))
            options = None
    elif combined.strip():
        options_column = column(c.OPTIONS)
        split = read(c.OPTIONS, split_option_cell)
        options = None if split is None else split.options
        for note in split.notes if split is not None else ():
            result.warn(row=row.number, column=options_column, message=note)

    answer_text = cells.get(c.ANSWER, "")
    if unknown_type is not None and options is not None:
        qtype = _type_from_row(unknown_type, options, answer_text)
        if qtype is None:
            errors.add(
                row=row.number, column=column(c.TYPE), message=_unknown_type_message(unknown_type, options)
            )
        else:
            result.warn(
                row=row.number,
                column=column(c.TYPE),
                message=_(
                    "The type “%(value)s” is not known; from its options and answer the row is imported as: %(type)s."
                )
                % {"value": unknown_type.name, "type": Question.Type(qtype).label},
            )
    elif unknown_type is not None:
        errors.add(row=row.number, column=column(c.TYPE), message=str(unknown_type))

    answer = None
    if qtype == Question.Type.JUDGE and options is not None:
        # Some systems write a judge question's options out ("A.正确 B.错误", "对/不对"); they
        # carry no information beyond the answer's meaning and are dropped.
        true_false = judge_options_are_true_false(options)
        answer = read(c.ANSWER, parse_judge_answer, options=options if true_false else [])
        if true_false:
            options = []
    elif qtype is not None and options is not None:
        answer = read(c.ANSWER, parse_choice_answer, options=options)
        if qtype == CHOICE and answer is not None:
            qtype = str(Question.Type.SINGLE if len(answer) == 1 else Question.Type.MULTIPLE)

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


def _unknown_type_message(unknown: UnknownTypeError, options: list[str]) -> str:
    """Why a row with an unknown type name cannot be read as any question type."""
    if names_a_non_choice_type(unknown.name):
        return _(
            "The type “%(value)s” is not a choice question: fill-in questions are not supported "
            "(only single choice, multiple choice and true or false)."
        ) % {"value": unknown.name}
    if not options:
        return _(
            "The type “%(value)s” is not known and the row has no options to choose from: fill-in "
            "questions are not supported."
        ) % {"value": unknown.name}
    return str(unknown)


def _type_from_row(unknown: UnknownTypeError, options: list[str], answer: str) -> str | None:
    """The type a row with an unknown type name reads as, or None when it is no choice question:
    options and option letters for an answer -> single (one letter) or multiple (several);
    no options and a true/false answer -> judge."""
    if names_a_non_choice_type(unknown.name):
        return None
    if len(options) >= 2:
        try:
            letters = parse_choice_answer(answer, options=options)
        except CellError:
            return None
        return str(Question.Type.SINGLE if len(letters) == 1 else Question.Type.MULTIPLE)
    if not options and truth_of(answer) is not None:
        return str(Question.Type.JUDGE)
    return None
