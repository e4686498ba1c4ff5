"""Property test of the bank import over random cells, headers, encodings and damaged bytes.

Whatever the file, `bank_import` either imports or raises ApplicationError (a 400 with a
message): never another exception, and never a partial write.
"""

import codecs
import itertools

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.errors import ApplicationError
from quiz.models import Question
from quiz.services.banks import bank_create, bank_import
from tests.support.bank_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER_NAMES = [
    "题型",
    "type",
    "试题类型",
    "题干",
    "stem",
    "题目内容",
    "选项",
    "题目选项",
    "A",
    "B",
    "C",
    "选项D",
    "E",
    "F",
    "答案",
    "answer",
    "正确答案",
    "解析",
    "分类",
    "难度",
    "difficulty",
    "序号",
    "分值",
    "未知列",
    "",
]
CELL_PIECES = [
    "单选",
    "多选",
    "判断",
    "是非题",
    "single",
    "judge",
    "multiple",
    "A",
    "B",
    "AB",
    "ACD",
    "A,C",
    "正确",
    "错误",
    "T",
    "F",
    "TRUE",
    "1",
    "3",
    "5",
    "9",
    "易",
    "难",
    "**A.正确**B.错误",
    "A、禁止 B、警告 C、通行",
    "A.x B.y B.z",
    "12.",
    "（3）",
    "以下说法中，错误的是（ ）。",
    "\n",
    " ",
    "|",
    "**",
    "=1+1",
    '"',
    ",",
    "G.",
    "",
]
# Text that openpyxl can store (no control characters besides tab and newline).
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=12
)
cell = st.one_of(
    st.sampled_from(CELL_PIECES), free_text, st.lists(st.sampled_from(CELL_PIECES), max_size=3).map("".join)
)


def mostly(values: list[str], other=None):
    """Four times in five one of `values`, else anything."""
    return st.one_of(*[st.sampled_from(values)] * 4, other if other is not None else cell)


# Mostly plausible cells per column, so that many examples reach row validation and writing.
BY_COLUMN = {
    "type": mostly(["单选", "多选", "判断", "是非题", "single", "judge", "multiple", "单项选择题"]),
    "stem": mostly(["12.安全第一？", "（3）火警电话", "以下说法中，错误的是（ ）。", "Q", "Q2"], free_text),
    "a": mostly(["甲", "正确", "x"], free_text),
    "b": mostly(["乙", "错误", "y"], free_text),
    "c": mostly(["丙", "", "z"], free_text),
    "options": mostly(["**A.正确**B.错误", "A、禁止 B、警告 C、通行", "A.x B.y B.z", "A:1|B:2", ""]),
    "answer": mostly(["A", "B", "C", "AB", "A,C", "BA ", "正确", "错", "T", "false", "Z"]),
    "difficulty": mostly(["", "1", "5", "易", "难", "0", "3.0"]),
    "free": free_text,
}
VALID_QUESTIONS = [
    {
        "type": "单选",
        "a": "甲",
        "b": "乙",
        "c": "丙",
        "options": "A.甲 B.乙 C.丙",
        "answer": "B",
        "difficulty": "2",
    },
    {
        "type": "多选",
        "a": "甲",
        "b": "乙",
        "c": "丙",
        "options": "**A.甲**B.乙**C.丙",
        "answer": "C,A",
        "difficulty": "难",
    },
    {"type": "是非题", "answer": "正确"},
    {"type": "judge", "a": "正确", "b": "错误", "options": "A.正确 B.错误", "answer": "B"},
]
GOOD_HEADERS = [
    (
        ["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "分类", "难度"],
        ["type", "stem", "a", "b", "c", "answer", "free", "free", "difficulty"],
    ),
    (
        ["序号", "试题类型", "题目内容", "题目选项", "正确答案", "分值"],
        ["free", "type", "stem", "options", "answer", "free"],
    ),
    (["stem", "answer", "type", "A", "B"], ["stem", "answer", "type", "a", "b"]),
]


@st.composite
def sheet(draw) -> list[list[str]]:
    if draw(st.integers(0, 4)) == 0:  # a fifth of the files: any header at all
        head = draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=10))
        rows = draw(st.lists(st.lists(cell, max_size=12), max_size=8))
        return [head, *rows] if head else rows
    head, kinds = draw(st.sampled_from(GOOD_HEADERS))
    # Most rows are valid questions (with a random stem), the others random cells per column.
    valid = st.builds(
        lambda q, stem: [stem if kind == "stem" else q.get(kind, "") for kind in kinds],
        st.sampled_from(VALID_QUESTIONS),
        st.text(alphabet="安全生产火警电话？ABC123 ", min_size=1, max_size=10),
    )
    random_row = st.tuples(*(BY_COLUMN[kind] for kind in kinds)).map(list)
    rows = draw(st.lists(st.one_of(valid, valid, valid, random_row), min_size=1, max_size=8))
    # Repeat some rows as exports of other systems do.
    if rows and draw(st.booleans()):
        rows.append(list(draw(st.sampled_from(rows))))
    return [head, *rows]


@st.composite
def upload(draw) -> tuple[str, bytes]:
    table = draw(sheet())
    kind = draw(st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    if kind == "xlsx":
        content, name = xlsx_bytes(table), "bank.xlsx"
    elif kind == "utf-16":
        content, name = codecs.BOM_UTF16_LE + csv_bytes(table, encoding="utf-16-le"), "bank.csv"
    else:
        content, name = (
            csv_bytes(table, encoding=kind.replace("-sig", ""), bom=kind.endswith("-sig")),
            "bank.csv",
        )
    damage = draw(st.sampled_from(["none"] * 12 + ["truncate", "flip", "rename"]))
    if damage == "truncate" and content:
        content = content[: draw(st.integers(0, len(content) - 1))]
    elif damage == "flip" and content:
        at = draw(st.integers(0, len(content) - 1))
        content = content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1 :]
    elif damage == "rename":
        name = "bank.csv" if name.endswith("xlsx") else "bank.xlsx"
    return name, content


def _state(bank) -> list[tuple]:
    return list(
        Question.objects.filter(bank=bank)
        .order_by("id")
        .values_list("id", "stem", "options", "answer", "updated_at")
    )


_BANK_NUMBERS = itertools.count()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=upload(), dry_run=st.booleans(), skip_invalid=st.booleans())
def test_import_never_crashes_and_never_half_writes(db, file, dry_run, skip_invalid):
    # A fresh name per example: count + id(file) could repeat once an example was rolled back.
    bank = bank_create(name=f"fuzz-{next(_BANK_NUMBERS)}")
    name, content = file
    before = _state(bank)
    try:
        result = bank_import(
            bank=bank, file=content, filename=name, dry_run=dry_run, skip_invalid=skip_invalid
        )
    except ApplicationError as exc:
        event(f"refused: {exc.code}")
        assert exc.message and exc.code
        assert all({"row", "column", "message"} <= set(e) for e in exc.errors if "row" in e)
        assert _state(bank) == before
        return
    event(
        f"imported (dry run: {dry_run})"
        if result.created + result.updated + result.unchanged
        else "imported nothing"
    )
    after = _state(bank)
    if dry_run:
        assert after == before
    else:
        assert len(after) == len(before) + result.created
        for question in Question.objects.filter(bank=bank):
            assert question.fingerprint == Question.compute_fingerprint(question.stem, question.options)
            assert question.answer and set(question.answer) <= set("ABCDEF")
    if not skip_invalid:
        assert result.skipped == []
