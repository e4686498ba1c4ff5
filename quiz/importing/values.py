"""Reading single cells of a question-bank sheet: type names, answers, options, difficulty, stems.

Each reader takes the cell text as the user typed it and returns the value as the model stores
it, or raises `CellError` with a message in the user's language. Texts are kept as written
(full-width punctuation stays); NFKC is used only to compare.
"""

import functools
import re
import unicodedata

from django.utils.translation import gettext as _

from quiz.models import OPTION_KEYS, Question, normalize_text

DEFAULT_DIFFICULTY = 3
CATEGORY_MAX_LENGTH = Question._meta.get_field("category").max_length


class CellError(ValueError):
    """A cell that cannot be read; `str(exc)` is the message for the user."""


class UnknownTypeError(CellError):
    """A type name not in the list; the parser may still decide the type from the row."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


# A type name that says "choice" without saying single or multiple: the answer decides.
CHOICE = "choice"
# Type names of questions this platform cannot ask (no options to choose from).
_NOT_CHOICE_WORDS = ("填空", "简答", "问答", "论述", "计算", "名词解释", "fill", "blank", "essay")


@functools.lru_cache(maxsize=4096)  # type names, difficulties and answers repeat on every row
def _fold(text: str) -> str:
    """Case-, width- and space-insensitive form of a short token (type names, answers)."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text or "")).lower()


# --- type -------------------------------------------------------------------------------------

_TYPE_NAMES: dict[str, str] = {}
for _type, _names in {
    Question.Type.SINGLE: (
        "single",
        "singlechoice",
        "single choice",
        "radio",
        "s",
        "单选",
        "单选题",
        "单项选择",
        "单项选择题",
        "单项选择题目",
        "单择题",
    ),
    CHOICE: ("选择", "选择题", "choice", "multiple or single"),
    Question.Type.MULTIPLE: (
        "multiple",
        "multiplechoice",
        "multiple choice",
        "multi",
        "checkbox",
        "m",
        "多选",
        "多选题",
        "多项选择",
        "多项选择题",
        "不定项",
        "不定项选择",
        "不定项选择题",
    ),
    Question.Type.JUDGE: (
        "judge",
        "judgement",
        "judgment",
        "true/false",
        "trueorfalse",
        "true or false",
        "truefalse",
        "tf",
        "t/f",
        "boolean",
        "判断",
        "判断题",
        "是非",
        "是非题",
        "对错",
        "对错题",
        "正误题",
        "判断正误",
    ),
}.items():
    for _name in _names:
        _TYPE_NAMES[_fold(_name)] = str(_type)


def parse_type(text: str) -> str:
    """`单选题`, `Multiple`, `是非题`... -> "single" / "multiple" / "judge", or `CHOICE` for a
    name such as `选择题` that leaves single or multiple to the answer.

    UnknownTypeError for a name not in the list (the row may still decide it, see the parser);
    CellError for an empty cell.
    """
    if not text.strip():
        raise CellError(_("The type is empty; use single, multiple or judge (单选, 多选, 判断)."))
    found = _TYPE_NAMES.get(_fold(text))
    if found is None:
        raise UnknownTypeError(
            _("Unknown question type “%(value)s”; use single, multiple or judge (单选, 多选, 判断).")
            % {"value": text},
            name=text.strip(),
        )
    return found


def names_a_non_choice_type(name: str) -> bool:
    """Whether a type name says fill-in, short answer, essay...: questions without options."""
    folded = _fold(name)
    return any(word in folded for word in _NOT_CHOICE_WORDS)


# --- difficulty -------------------------------------------------------------------------------

_DIFFICULTY_WORDS = {
    **dict.fromkeys(("易", "容易", "简单", "低", "easy", "veryeasy"), 1),
    **dict.fromkeys(("较易", "较容易", "较简单", "偏易", "较低", "fairlyeasy"), 2),
    **dict.fromkeys(("中", "中等", "一般", "适中", "普通", "medium", "normal", "moderate"), 3),
    **dict.fromkeys(("较难", "偏难", "较高", "fairlyhard"), 4),
    **dict.fromkeys(("难", "困难", "高", "hard", "difficult", "veryhard"), 5),
}


def parse_difficulty(text: str) -> int:
    """1 to 5, or 易 (1) / 较易 (2) / 中 (3) / 较难 (4) / 难 (5); empty means 3."""
    folded = _fold(text)
    if not folded:
        return DEFAULT_DIFFICULTY
    if folded in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[folded]
    try:
        number = float(folded)
    except ValueError:
        number = None
    if number is not None and number.is_integer() and 1 <= number <= 5:
        return int(number)
    raise CellError(_("Difficulty must be 1 to 5 or 易/中/难, not “%(value)s”.") % {"value": text})


# --- stem -------------------------------------------------------------------------------------

# "12." "12、" "12．" "（12）" "(12)" "12)" "第12题" in front of a stem; "12.5米" and "1:1" stay.
_QUESTION_NUMBER_RE = re.compile(
    r"^\s*(?:第\s*[0-9０-９]+\s*题\s*[.．、:：]?"
    r"|[(（]\s*[0-9０-９]+\s*[)）]"
    r"|[0-9０-９]+\s*(?:[.．、:：](?![0-9０-９])|[)）]))\s*"
)


def clean_stem(text: str) -> str:
    """The stem without a question number in front; CellError when nothing is left."""
    stem = _QUESTION_NUMBER_RE.sub("", text, count=1).strip() or text.strip()
    if not stem:
        raise CellError(_("The stem (question text) is empty."))
    if not normalize_text(stem).strip("0123456789.、:()（）第题 "):
        raise CellError(_("The stem “%(value)s” has no question text.") % {"value": text})
    return stem


# --- options ------------------------------------------------------------------------------------


def options_from_columns(cells: dict[str, str]) -> list[str]:
    """Options from the columns A..F: filled from A on, with no gap (A, B, D without C is an error)."""
    last = max((i for i, letter in enumerate(OPTION_KEYS) if cells.get(letter, "").strip()), default=-1)
    options = []
    for letter in OPTION_KEYS[: last + 1]:
        value = cells.get(letter, "").strip()
        if not value:
            raise CellError(
                _("Option %(letter)s is empty although a later option is filled in.") % {"letter": letter}
            )
        options.append(value)
    return options


# --- answers ------------------------------------------------------------------------------------

_TRUE_WORDS = {
    _fold(w) for w in ("正确", "对", "是", "√", "✓", "✔", "true", "t", "yes", "y", "right", "correct")
}
_FALSE_WORDS = {
    _fold(w)
    for w in (
        "错误",
        "错",
        "否",
        "不对",
        "不正确",
        "不是",
        "非",
        "×",
        "✗",
        "✘",
        "x",
        "false",
        "f",
        "no",
        "n",
        "wrong",
        "incorrect",
    )
}
_ANSWER_NOISE_RE = re.compile(r"[\s,，、;；/|.。．+&和与及]+")


def truth_of(text: str) -> bool | None:
    """True for 正确/对/T/true/√..., False for 错误/错/F/false/×..., None for anything else."""
    folded = _fold(text).strip("。.")
    if folded in _TRUE_WORDS:
        return True
    if folded in _FALSE_WORDS:
        return False
    return None


def parse_choice_answer(text: str, *, options: list[str]) -> str:
    """`A `, `A,C`, `A、C`, `ABDC`, `acd` -> sorted letters ("ACD"). An answer that is exactly
    the text of one option is taken as that option's letter."""
    letters = _ANSWER_NOISE_RE.sub("", unicodedata.normalize("NFKC", text)).upper()
    if letters and all(c in OPTION_KEYS for c in letters):
        return "".join(sorted(set(letters)))
    wanted = normalize_text(text)
    matches = [OPTION_KEYS[i] for i, option in enumerate(options) if normalize_text(option) == wanted]
    if len(matches) == 1:
        return matches[0]
    if not text.strip():
        raise CellError(_("The answer is empty."))
    raise CellError(_("The answer “%(value)s” is not option letters such as B or ACD.") % {"value": text})


def parse_judge_answer(text: str, *, options: list[str]) -> str:
    """正确/错误, 对/错, T/F, true/false, or A/B where A is true -> "A" (true) or "B" (false).

    `options` are the true/false texts a judge row may carry (e.g. ["错误", "正确"]): then a
    letter answer means the option it names.
    """
    truth = truth_of(text)
    if truth is None:
        letter = _ANSWER_NOISE_RE.sub("", unicodedata.normalize("NFKC", text)).upper()
        if letter in ("A", "B"):
            truth = truth_of(options["AB".index(letter)]) if options else letter == "A"
    if truth is None:
        if not text.strip():
            raise CellError(_("The answer is empty."))
        raise CellError(
            _(
                "The answer of a true-or-false question must be 正确/错误, T/F, true/false or A/B, not “%(value)s”."
            )
            % {"value": text}
        )
    return "A" if truth else "B"


def judge_options_are_true_false(options: list[str]) -> bool:
    """Whether a judge row's options are just "true" and "false" in some wording and order."""
    return len(options) == 2 and {truth_of(options[0]), truth_of(options[1])} == {True, False}


# --- whole question -----------------------------------------------------------------------------


def question_problems(*, type: str, options: list[str], answer: str) -> list[tuple[str, str]]:
    """What is wrong with a question as it would be stored, as (field, message) pairs.

    One rule set for the import and the admin form: choice questions have 2 to 6 distinct
    options and an answer naming only existing options (exactly one for single choice); a judge
    question has no options and the answer A (true) or B (false).
    """
    problems: list[tuple[str, str]] = []
    if type == Question.Type.JUDGE:
        if options:
            problems.append(("options", _("A true-or-false question has no options besides true and false.")))
        if answer not in ("A", "B"):
            problems.append(("answer", _("The answer of a true-or-false question is A (true) or B (false).")))
        return problems
    if len(options) < 2:
        problems.append(("options", _("A choice question needs at least two options.")))
    if len(options) > len(OPTION_KEYS):
        problems.append(("options", _("At most six options (A to F) are allowed.")))
    seen: dict[str, str] = {}
    for letter, option in zip(OPTION_KEYS, options, strict=False):
        key = normalize_text(option)
        if key in seen:
            problems.append(
                (
                    "options",
                    _("Options %(first)s and %(second)s are the same.")
                    % {"first": seen[key], "second": letter},
                )
            )
        seen.setdefault(key, letter)
    if not answer:
        problems.append(("answer", _("The answer is empty.")))
    missing = [letter for letter in answer if OPTION_KEYS.index(letter) >= len(options)]
    if missing and len(options) >= 2:
        problems.append(
            (
                "answer",
                _(
                    "The answer names option %(letters)s, which this question does not have (its options are %(found)s)."
                )
                % {"letters": ", ".join(missing), "found": ", ".join(OPTION_KEYS[: len(options)])},
            )
        )
    if type == Question.Type.SINGLE and len(answer) > 1:
        problems.append(
            (
                "answer",
                _("A single-choice question has exactly one answer, not “%(value)s”.") % {"value": answer},
            )
        )
    return problems
