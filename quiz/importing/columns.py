"""The columns of a question-bank sheet and every name they go by (docs/api.md, "Import columns").

Names are compared after `core.tabular.normalize_header` (case, spaces, `*` marks and trailing
notes such as `（1-5）` do not matter), so each spelling is listed once here.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.tabular import Column
from quiz.models import OPTION_KEYS

TYPE, STEM, OPTIONS, ANSWER, EXPLANATION, CATEGORY, DIFFICULTY = (
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
    "category",
    "difficulty",
)


def option_key(letter: str) -> str:
    """Column key of one option column: "A" ... "F"."""
    return letter


def _option_names(letter: str) -> tuple[str, ...]:
    return (
        letter,
        f"选项{letter}",
        f"{letter}选项",
        f"option{letter}",
        f"option {letter}",
        f"选项 {letter}",
    )


COLUMNS: tuple[Column, ...] = (
    Column(
        TYPE,
        ("题型", "试题类型", "题目类型", "类型", "question type", "qtype"),
        required=True,
        label=_("type"),
    ),
    Column(
        STEM,
        (
            "题干",
            "题目内容",
            "题目",
            "试题内容",
            "试题",
            "问题",
            "题目名称",
            "question",
            "question text",
            "text",
        ),
        required=True,
        label=_("stem"),
    ),
    *(
        Column(
            option_key(letter), _option_names(letter), label=format_lazy(_("option {letter}"), letter=letter)
        )
        for letter in OPTION_KEYS
    ),
    Column(
        OPTIONS, ("选项", "题目选项", "试题选项", "选项内容", "all options", "choices"), label=_("options")
    ),
    Column(
        ANSWER,
        (
            "答案",
            "题目答案",
            "正确答案",
            "参考答案",
            "标准答案",
            "correct answer",
            "correct",
            "key",
            "answers",
        ),
        required=True,
        label=_("answer"),
    ),
    Column(
        EXPLANATION,
        ("解析", "答案解析", "试题解析", "题目解析", "解释", "说明", "analysis"),
        label=_("explanation"),
    ),
    Column(
        CATEGORY,
        ("分类", "作业种类", "类别", "知识点", "题目分类", "试题分类", "章节", "topic"),
        label=_("category"),
        repeatable=True,
    ),
    Column(DIFFICULTY, ("难度", "难易程度", "难易度", "难度等级", "level"), label=_("difficulty")),
)

# Columns other systems export that carry nothing a question needs here; they are skipped
# without a warning.
IGNORED = (
    "序号",
    "题号",
    "编号",
    "试题编号",
    "题目编号",
    "id",
    "no",
    "no.",
    "number",
    "#",
    "分值",
    "分数",
    "score",
    "points",
    "创建时间",
    "创建人",
    "更新时间",
    "状态",
    "备注",
)

# Header rows exported by this platform (the template and exports write these).
EXPORT_HEADER_ZH = (
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "答案",
    "解析",
    "分类",
    "难度",
)
EXPORT_HEADER_EN = (
    "type",
    "stem",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "answer",
    "explanation",
    "category",
    "difficulty",
)
