"""Question banks as other systems export them (issue 12): every one-column option shape, judge
rows with their own wording, two category columns, repeats under another category, unknown type
names, hard line breaks. Rows written for these tests; each is imported from .xlsx and .csv and
the exact options, answer and category that come out are asserted."""

import pytest
from django.utils import translation

from core.errors import ApplicationError
from quiz.models import QuestionBank
from quiz.services.banks import bank_create, bank_import
from tests.support.bank_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["题型", "题干", "选项", "答案", "作业种类"]
FORMATS = ["xlsx", "csv"]

# (shape, [(type, stem, options cell, answer, category) -> (type, options, answer)])
SHAPES = {
    "no ** after the first option": [
        ("单选题", "锅炉的主要用途是（ ）。", "**A、生产热水B、生产蒸汽C,加热空气D、生产电力", "B", "锅炉"),
        ("single", ["生产热水", "生产蒸汽", "加热空气", "生产电力"], "B"),
        ("多选题", "灭火的基本方法有（ ）。", "**A、隔离法B、窒息法C,冷却法D、抑制法", "ABCD", "消防"),
        ("multiple", ["隔离法", "窒息法", "冷却法", "抑制法"], "ABCD"),
        ("单选题", "安全色中表示禁止的是（ ）。", "**A、红色B、蓝色C,黄色", "A", "标志"),
        ("single", ["红色", "蓝色", "黄色"], "A"),
    ],
    "marks mixed with none before digits": [
        ("单选题", "一般环境下安全电压不超过（ ）伏。", "**A、24**B.36 **C48**D.110", "B", "电工"),
        ("single", ["24", "36", "48", "110"], "B"),
        ("单选题", "应急演练每（ ）年至少一次。", "**A、2**B.3 **C4**D.5", "A", "应急"),
        ("single", ["2", "3", "4", "5"], "A"),
        ("单选题", "压力表指针在（ ）区表示正常。", "**A、红**B.绿 **C黄**D.白", "B", "消防"),
        ("single", ["红", "绿", "黄", "白"], "B"),
    ],
    "lower-case letters": [
        (
            "单选题",
            "发动机温度过高应检查（ ）。",
            "**A、润滑系**B、燃料系**c、点火系**D、冷却系",
            "D",
            "车辆",
        ),
        ("single", ["润滑系", "燃料系", "点火系", "冷却系"], "D"),
        ("多选题", "个人防护用品包括（ ）。", "**a、安全帽**b、安全带**c、拖鞋", "ab", "防护"),
        ("multiple", ["安全帽", "安全带", "拖鞋"], "AB"),
        ("单选题", "高处作业是指坠落高度基准面（ ）米以上。", "**A.1**b.2**C.3", "b", "高处"),
        ("single", ["1", "2", "3"], "B"),
    ],
    "| as the mark": [
        ("单选题", "特种作业操作证每（ ）复审一次。", "**A|1年**B|3年**C|近2年", "B", "证书"),
        ("single", ["1年", "3年", "近2年"], "B"),
        ("单选题", "事故统计的期间是（ ）。", "**A|近1年**B|近3年**C|近2年**D|近5年", "C", "统计"),
        ("single", ["近1年", "近3年", "近2年", "近5年"], "C"),
    ],
    "letters out of order": [
        (
            "单选题",
            "汽车传动系中改变传动比的是（ ）。",
            "**A.离合器**B.差速器**D.转向器**C.变速器",
            "C",
            "车辆",
        ),
        ("single", ["离合器", "差速器", "变速器", "转向器"], "C"),
        ("多选题", "属于危险化学品的是（ ）。", "**B.食盐**A.汽油**C.液化气", "AC", "危化"),
        ("multiple", ["汽油", "食盐", "液化气"], "AC"),
    ],
    "judge rows in their own wording": [
        ("判断题", "电气设备着火可以用水扑救。", "**A:正确**B:不正确", "B", "电工"),
        ("judge", [], "B"),
        ("判断题", "进入施工现场必须戴安全帽。", "**A:正确**B:不正确", "A", "建筑"),
        ("judge", [], "A"),
        ("判断题", "可以在加油站接打电话。", "**A.对**B.不对", "不对", "危化"),
        ("judge", [], "B"),
        ("判断题", "安全出口应保持畅通。", "**A、是**B、否", "A", "消防"),
        ("judge", [], "A"),
        ("判断题", "酒后可以驾驶机动车。", "**A.√**B.×", "B", "交通"),
        ("judge", [], "B"),
        ("判断题", "灭火器应定期检查。", "**A:不正确**B:正确", "B", "消防"),
        ("judge", [], "A"),
    ],
    "the option's letter repeated in its text": [
        ("单选题", "警车上用于警示的是（ ）。", "**A、高音喇叭**B、B. 警灯**C、C. 标志灯", "B", "交通"),
        ("single", ["高音喇叭", "警灯", "标志灯"], "B"),
        ("单选题", "发现火情首先应（ ）。", "**A、A.报警**B、B.逃跑**C、C.围观", "A", "消防"),
        ("single", ["报警", "逃跑", "围观"], "A"),
    ],
    "letters that belong to the text": [
        (
            "单选题",
            "下列属于特种设备的是（ ）。",
            "**A、锅炉**B、电梯**C、起重机**D、(A. B. C)全包含",
            "D",
            "特种设备",
        ),
        ("single", ["锅炉", "电梯", "起重机", "(A. B. C)全包含"], "D"),
        ("单选题", "一般火灾按可燃物分为（ ）。", "**A、A、B级**B、A、B、C级**C、D级", "B", "消防"),
        ("single", ["A、B级", "A、B、C级", "D级"], "B"),
    ],
    "a letter with no mark after **": [
        (
            "单选题",
            "机床作业结束后首先应（ ）。",
            "**A:清理机床**B关闭机床电器系统和切断电源**C:润滑机床**D:整理工器具",
            "B",
            "机械",
        ),
        ("single", ["清理机床", "关闭机床电器系统和切断电源", "润滑机床", "整理工器具"], "B"),
        ("多选题", "安全生产违法行为的处罚有（ ）。", "**A.警告**B.罚款**C停产停业整顿", "ABC", "法规"),
        ("multiple", ["警告", "罚款", "停产停业整顿"], "ABC"),
    ],
}
CASES = [
    pytest.param(rows[i], rows[i + 1], id=f"{shape}-{i // 2}")
    for shape, rows in SHAPES.items()
    for i in range(0, len(rows), 2)
]


@pytest.fixture
def bank() -> QuestionBank:
    return bank_create(name="形状题库")


def _file(rows: list[list[str]], fmt: str) -> bytes:
    return xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows, bom=True)


def _imported(bank) -> dict[str, tuple]:
    return {q.stem: (q.type, q.options, q.answer, q.category) for q in bank.questions.all()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("row", "expected"), CASES)
def test_each_shape_imports_as_a_person_reads_it(bank, fmt, row, expected):
    result = bank_import(bank=bank, file=_file([HEADER, list(row)], fmt), filename=f"b.{fmt}")

    assert result.created == 1
    assert _imported(bank) == {row[1]: (*expected, row[4])}


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_shapes_in_one_file(bank, fmt):
    rows = [list(row) for _shape, pairs in SHAPES.items() for row in pairs[::2]]
    expected = {
        row[1]: (*want, row[4])
        for _shape, pairs in SHAPES.items()
        for row, want in zip(pairs[::2], pairs[1::2])
    }

    result = bank_import(bank=bank, file=_file([HEADER, *rows], fmt), filename=f"b.{fmt}")

    assert result.created == len(rows)
    assert _imported(bank) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_out_of_order_and_letter_like_text_are_warned_for_the_preview(bank, fmt):
    rows = [
        HEADER,
        list(SHAPES["letters out of order"][0]),
        list(SHAPES["letters that belong to the text"][2]),
    ]

    with translation.override("en"):
        result = bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}", dry_run=True)

    assert result.warnings == [
        {
            "row": 2,
            "column": "选项",
            "message": "The options are written in the order A, B, D, C; they are imported in the order "
            "A, B, C, D and the answer keeps its letters.",
        },
        {
            "row": 3,
            "column": "选项",
            "message": "Option A “A、B级” holds what looks like an option letter; check the split.",
        },
        {
            "row": 3,
            "column": "选项",
            "message": "Option B “A、B、C级” holds what looks like an option letter; check the split.",
        },
    ]


BAD_SPLITS = [
    ("**A.甲**B.乙**D.丁", "D", "The options found are A, B, D: option C is missing."),
    ("**A.左**B.右**D.上**E.下", "A", "The options found are A, B, D, E: option C is missing."),
    (
        "**A.甲**B.乙|丙",
        "A",
        "Option B “乙|丙” still holds a separator (** or |); the options cannot be told apart.",
    ),
    ("**A.甲**B.乙 B.丙", "A", "Option B appears twice."),
    (
        "**A.甲**B.乙 E.丙",
        "A",
        "Option B “乙 E.丙” holds the option letter E; the options cannot be told apart for sure. Use the columns A to F.",
    ),
    (
        "前言**A.甲**B.乙",
        "A",
        "The options cannot be told apart: “前言” has no option letter. Write them as “A.… B.… C.…” or use the columns A to F.",
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("cell", "answer", "message"), BAD_SPLITS)
def test_an_uncertain_split_is_a_row_error_that_says_what_is_there(bank, fmt, cell, answer, message):
    rows = [HEADER, ["单选题", "拆不开的选项（ ）。", cell, answer, "x"]]

    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    assert caught.value.errors == [{"row": 2, "column": "选项", "message": message}]
    assert bank.questions.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_category_columns_are_both_kept_with_a_warning(bank, fmt):
    rows = [
        ["题型", "题干", "选项", "答案", "作业种类", "章节"],
        ["单选题", "低压电工作业的电压是（ ）。", "**A.1000V以下**B.10kV", "A", "电工作业", "第一章 基础"],
        ["判断题", "可以带电作业。", "", "错", "电工作业", ""],
        ["判断题", "焊工须持证上岗。", "", "对", "", "第二章 焊接"],
    ]

    with translation.override("en"):
        result = bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    assert result.created == 3
    assert {q.stem: q.category for q in bank.questions.all()} == {
        "低压电工作业的电压是（ ）。": "电工作业 / 第一章 基础",
        "可以带电作业。": "电工作业",
        "焊工须持证上岗。": "第二章 焊接",
    }
    assert result.warnings == [
        {
            "row": 1,
            "column": "作业种类 / 章节",
            "message": "The columns “作业种类”, “章节” all name a category: each question's category is made "
            "of them all, as “作业种类 / 章节”.",
        }
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_question_under_another_category_is_imported_once_with_a_warning(bank, fmt):
    row = ["单选题", "火警电话是（ ）。", "**A.110**B.119", "B"]
    rows = [HEADER, [*row, "消防"], [*row, "应急"], [*row, "消防"]]

    with translation.override("en"):
        result = bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    assert result.created == 1
    assert _imported(bank) == {"火警电话是（ ）。": ("single", ["110", "119"], "B", "消防")}
    assert [w["message"] for w in result.warnings] == [
        "Row 3 repeats row 2 under another category (“应急”); the question is imported once, under “消防”.",
        "Row 4 repeats row 2 exactly; the question is imported once.",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_type_names_are_decided_by_the_row(bank, fmt):
    rows = [
        HEADER,
        ["数字类选择题", "安全电压是（ ）伏。", "**A.36**B.220", "A", "电工"],
        ["情景选择题", "发生火灾应（ ）。", "**A.报警**B.疏散**C.围观", "AB", "消防"],
        ["是非", "可以乘电梯逃生。", "", "错", "消防"],
    ]

    with translation.override("en"):
        result = bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    assert _imported(bank) == {
        "安全电压是（ ）伏。": ("single", ["36", "220"], "A", "电工"),
        "发生火灾应（ ）。": ("multiple", ["报警", "疏散", "围观"], "AB", "消防"),
        "可以乘电梯逃生。": ("judge", [], "B", "消防"),
    }
    assert result.warnings == [
        {
            "row": 2,
            "column": "题型",
            "message": "The type “数字类选择题” is not known; from its options and answer the row is imported as: "
            "Single choice.",
        },
        {
            "row": 3,
            "column": "题型",
            "message": "The type “情景选择题” is not known; from its options and answer the row is imported as: "
            "Multiple choice.",
        },
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fill_in_row_stays_an_error_naming_the_reason(bank, fmt):
    rows = [
        HEADER,
        ["数字类选择题", "安全电流不超过（ ）安。", "", "0.1", "电工"],
        ["填空题", "火警电话是____。", "", "119", "消防"],
    ]

    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    assert caught.value.errors == [
        {
            "row": 2,
            "column": "题型",
            "message": "The type “数字类选择题” is not known and the row has no options to choose from: "
            "fill-in questions are not supported.",
        },
        {
            "row": 3,
            "column": "题型",
            "message": "The type “填空题” is not a choice question: fill-in questions are not supported "
            "(only single choice, multiple choice and true or false).",
        },
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_hard_line_breaks_and_tabs_are_joined_lists_kept(bank, fmt):
    rows = [
        ["题型", "题干", "选项A", "选项B", "答案", "解析"],
        [
            "单选题",
            "触电者脱离电源后，还\n可对全身进行检查，\t并及时（ ）。",
            "拨打\n120",
            "离开",
            "A",
            "先\n急救",
        ],
        ["多选题", "下列做法正确的是：\n1.佩戴安全帽\n2.系好安全带", "1和2", "只有1", "A", ""],
        ["判断题", "Use the\nextinguisher\tat the base.", "", "", "T", ""],
    ]

    bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")

    got = {q.type: (q.stem, q.options, q.explanation) for q in bank.questions.all()}
    assert got == {
        "single": ("触电者脱离电源后，还可对全身进行检查，并及时（ ）。", ["拨打120", "离开"], "先急救"),
        "multiple": ("下列做法正确的是：\n1.佩戴安全帽\n2.系好安全带", ["1和2", "只有1"], ""),
        "judge": ("Use the extinguisher at the base.", [], ""),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_likely_duplicates_are_listed_after_import(bank, fmt):
    rows = [
        HEADER,
        ["单选题", "哪种灭火器适合电器火灾？", "**A.干粉**B.水基**C.泡沫", "A", "消防"],
        ["单选题", "哪种灭火器适合电器火灾?", "**A.水基**B.干粉**C.泡沫", "B", "消防"],
        ["单选题", "哪种灭火器适合电器火灾？", "**A.水基**B.干粉**C.泡沫。", "A", "消防"],
    ]
    bank_import(
        bank=bank,
        file=_file([HEADER, ["单选题", "安全帽的作用是（ ）。", "**A.防砸**B.装饰", "A", "防护"]], fmt),
        filename=f"a.{fmt}",
    )
    existing = bank.questions.get()
    again = [HEADER, ["单选题", "安全帽的作用是( )", "**A.装饰**B.防砸", "B", "防护"]]

    with translation.override("en"):
        result = bank_import(bank=bank, file=_file(rows, fmt), filename=f"b.{fmt}")
        second = bank_import(bank=bank, file=_file(again, fmt), filename=f"c.{fmt}")

    assert result.created == 3  # kept: a warning, not an error
    assert result.warnings == [
        {
            "row": 3,
            "column": "",
            "message": "Rows 2 and 3 are likely the same question: they differ only in option order or punctuation.",
        }
    ]
    assert second.created == 1
    assert second.warnings == [
        {
            "row": 2,
            "column": "",
            "message": f"Row 2 is likely the same question as “安全帽的作用是（ ）。” (id {existing.pk}) in the "
            "bank: they differ only in option order or punctuation.",
        }
    ]


def test_answer_naming_an_absent_option_names_the_options_found(bank):
    rows = [HEADER, ["单选题", "三个选项（ ）。", "**A.甲**B.乙**C.丙", "D", "x"]]

    with translation.override("zh-hans"), pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert caught.value.errors == [
        {"row": 2, "column": "答案", "message": "答案中的选项 D 不存在（本题的选项为 A, B, C）。"}
    ]
