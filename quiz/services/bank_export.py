"""Question banks out to files: export in the import format, and the import template.

An export imported again into the same bank changes nothing (every row matches its question
and carries the same values). Headers and type names follow the bank's language; the template
follows the caller's.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.i18n import is_english
from core.tabular import CSV, FORMATS, XLSX, write_csv, write_xlsx
from quiz.importing.columns import EXPORT_HEADER_EN, EXPORT_HEADER_ZH
from quiz.models import OPTION_KEYS, Question, QuestionBank
from quiz.selectors.banks import bank_questions_for_export

CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
TYPE_NAMES = {
    "zh": {Question.Type.SINGLE: "单选", Question.Type.MULTIPLE: "多选", Question.Type.JUDGE: "判断"},
    "en": {Question.Type.SINGLE: "single", Question.Type.MULTIPLE: "multiple", Question.Type.JUDGE: "judge"},
}
JUDGE_ANSWERS = {"zh": {"A": "正确", "B": "错误"}, "en": {"A": "true", "B": "false"}}
# Column widths (characters) of the .xlsx: type, stem, A..F, answer, explanation, category, difficulty.
_WIDTHS = {0: 8, 1: 50, **{i: 18 for i in range(2, 8)}, 8: 8, 9: 40, 10: 14, 11: 8}

TEMPLATE_ROWS = {
    "zh": [
        (
            "single",
            "发生火灾时应拨打的报警电话是（ ）。",
            ["110", "119", "120", "122"],
            "B",
            "119 是火警电话；110 报警，120 急救，122 交通事故报警。",
            "消防安全",
            1,
        ),
        (
            "multiple",
            "使用灭火器灭火的正确做法有（ ）。",
            ["拔掉保险销", "站在上风方向", "对准火焰根部喷射", "对准火焰顶部喷射"],
            "ABC",
            "灭火器应拔销、握管、压把，站在上风方向对准火焰根部喷射。",
            "消防安全",
            2,
        ),
        (
            "judge",
            "每年 6 月是全国“安全生产月”。",
            [],
            "A",
            "自 2002 年起，每年 6 月为全国“安全生产月”。",
            "安全生产月",
            1,
        ),
    ],
    "en": [
        (
            "single",
            "Which number do you call to report a fire in China?",
            ["110", "119", "120", "122"],
            "B",
            "119 is the fire number; 110 police, 120 ambulance, 122 traffic accidents.",
            "Fire safety",
            1,
        ),
        (
            "multiple",
            "Which are correct when using a fire extinguisher?",
            [
                "Pull the safety pin",
                "Stand upwind",
                "Aim at the base of the flames",
                "Aim at the top of the flames",
            ],
            "ABC",
            "Pull the pin, aim at the base of the fire from upwind, squeeze the handle.",
            "Fire safety",
            2,
        ),
        (
            "judge",
            "June is Safety Production Month in China every year.",
            [],
            "A",
            "Since 2002, June has been the national Safety Production Month.",
            "Safety Production Month",
            1,
        ),
    ],
}


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    filename: str
    content_type: str


def _check_format(fmt: str) -> str:
    fmt = (fmt or XLSX).lower()
    if fmt not in FORMATS:
        raise ApplicationError(_("format must be xlsx or csv."), code="invalid_format")
    return fmt


def _write(*, fmt: str, lang: str, rows: list[list], filename: str, with_choices: bool) -> ExportedFile:
    header = EXPORT_HEADER_EN if lang == "en" else EXPORT_HEADER_ZH
    if fmt == CSV:
        content = write_csv(header=header, rows=rows)
    else:
        choices = {0: list(TYPE_NAMES[lang].values())} if with_choices else None
        content = write_xlsx(
            header=header, rows=rows, sheet_title=_("Questions"), column_widths=_WIDTHS, choices=choices
        )
    return ExportedFile(content=content, filename=f"{filename}.{fmt}", content_type=CONTENT_TYPES[fmt])


def _row(
    *,
    lang: str,
    type: str,
    stem: str,
    options: list[str],
    answer: str,
    explanation: str,
    category: str,
    difficulty: int,
) -> list:
    padded = list(options) + [""] * (len(OPTION_KEYS) - len(options))
    shown_answer = JUDGE_ANSWERS[lang][answer] if type == Question.Type.JUDGE else answer
    return [TYPE_NAMES[lang][type], stem, *padded, shown_answer, explanation, category, difficulty]


def bank_export(*, bank: QuestionBank, fmt: str) -> ExportedFile:
    """All questions of the bank (active or not) as .xlsx or .csv (UTF-8 with BOM) in the import format."""
    fmt = _check_format(fmt)
    lang = "en" if bank.language.startswith("en") else "zh"
    rows = [
        _row(
            lang=lang,
            type=q.type,
            stem=q.stem,
            options=q.options,
            answer=q.answer,
            explanation=q.explanation,
            category=q.category,
            difficulty=q.difficulty,
        )
        for q in bank_questions_for_export(bank=bank)
    ]
    return _write(fmt=fmt, lang=lang, rows=rows, filename=bank.name, with_choices=True)


def bank_import_template(*, fmt: str) -> ExportedFile:
    """The import header with one example row per question type, in the caller's language; the
    .xlsx has a drop-down on the type column."""
    fmt = _check_format(fmt)
    lang = "en" if is_english() else "zh"
    rows = [
        _row(lang=lang, type=t, stem=s, options=o, answer=a, explanation=e, category=c, difficulty=d)
        for t, s, o, a, e, c, d in TEMPLATE_ROWS[lang]
    ]
    return _write(fmt=fmt, lang=lang, rows=rows, filename=_("question-bank-template"), with_choices=True)
