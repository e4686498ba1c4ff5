"""bank_import: the one import service behind the API, the admin page and seed_demo."""

import pytest
from django.utils import translation

from core.errors import ApplicationError
from core.tabular import TabularFileError
from quiz.models import Question, QuestionBank
from quiz.services.banks import bank_create, bank_import
from tests.support.bank_files import EN_HEADER, EN_ROWS, ZH_HEADER, ZH_ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> QuestionBank:
    return bank_create(name="测试题库")


def _questions(bank) -> list[tuple]:
    return list(
        bank.questions.order_by("id").values_list(
            "type", "stem", "options", "answer", "category", "difficulty"
        )
    )


EXPECTED = [
    ("single", "火警电话是（ ）。", ["110", "119", "120", "122"], "B", "消防", 1),
    (
        "multiple",
        "灭火器使用要点有（ ）。",
        ["拔掉保险销", "站在上风方向", "对准火焰根部", "对准火焰顶部"],
        "ABC",
        "消防",
        2,
    ),
    ("judge", "每年 6 月是全国“安全生产月”。", [], "A", "安全生产月", 1),
]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("bank.xlsx", xlsx_bytes([ZH_HEADER, *ZH_ROWS])),
        ("bank.csv", csv_bytes([ZH_HEADER, *ZH_ROWS])),
        ("bank.csv", csv_bytes([ZH_HEADER, *ZH_ROWS], bom=True)),
        ("bank.csv", csv_bytes([ZH_HEADER, *ZH_ROWS], encoding="gb18030")),
    ],
    ids=["xlsx", "csv-utf8", "csv-utf8-bom", "csv-gb18030"],
)
def test_good_chinese_file_imports_every_question(bank, filename, content):
    result = bank_import(bank=bank, file=content, filename=filename)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _questions(bank) == EXPECTED
    assert bank.questions.get(type="single").explanation == "119 是火警电话。"


def test_every_question_gets_its_fingerprint_despite_bulk_create(bank):
    bank_import(bank=bank, file=xlsx_bytes([ZH_HEADER, *ZH_ROWS]), filename="b.xlsx")

    for question in bank.questions.all():
        assert question.fingerprint == Question.compute_fingerprint(question.stem, question.options)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_good_english_file_in_another_column_order(bank, fmt):
    order = [11, 10, 9, 8, 0, 1, 2, 3, 4, 5, 6, 7]  # difficulty first, options last
    rows = [[row[i] for i in order] for row in [EN_HEADER, *EN_ROWS]]
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)

    result = bank_import(bank=bank, file=content, filename=f"bank.{fmt}")

    assert result.created == 3
    judge = bank.questions.get(type="judge")
    assert (judge.stem, judge.answer, judge.options, judge.category) == (
        "June is Safety Production Month.",
        "A",
        [],
        "Safety Month",
    )
    assert bank.questions.get(type="multiple").answer == "ABC"


OTHER_SYSTEM_HEADER = ["序号", "试题类型", "题目内容", "题目选项", "正确答案", "答案解析", "作业种类", "分值"]
OTHER_SYSTEM_ROWS = [
    ["1", "单选题", "12.发现火灾应拨打（ ）。", "**A.110**B.119**C.120", "B ", "火警119", "消防", "2"],
    ["2", "是非题", "13、安全帽可以不系下颌带。", "**A.正确**B.错误", "B", "", "个人防护", "2"],
    ["", "", "", "", "", "", "", ""],
    [
        "3",
        "多项选择题",
        "（14）交通信号灯包括（ ）。",
        "A、红灯 B、绿灯 C、黄灯 D、蓝灯",
        "A、C,B",
        "",
        "交通",
        "2",
    ],
    ["4", "判断题", "15.驾驶员可以酒后驾车。", "", "错", "", "交通", "2"],
    ["5", "单项选择题", "16.禁止标志的颜色是（ ）。", "A:红色|B:蓝色|C:黄色", "a", "", "标志", "2"],
    ["6", "单选题", "12.发现火灾应拨打（ ）。", "**A.110**B.119**C.120", "B", "火警119", "消防", "2"],
    ["7", "多选题", "17.以下说法中，错误的是（ ）。", "A.甲\nB.乙\nC.丙\nD.丁", "ABDC", "", "", "2"],
    ["8", "多选题", "18.以下说法中，错误的是（ ）。", "A.丁\nB.戊\nC.己", "BA", "", "", "2"],
]


def test_bank_exported_by_another_system_imports_as_it_is(bank):
    content = xlsx_bytes([OTHER_SYSTEM_HEADER, *OTHER_SYSTEM_ROWS], title_rows=[["安全生产题库导出"]])

    result = bank_import(bank=bank, file=content, filename="other.xlsx")

    assert result.created == 7
    got = {q.stem: (q.type, q.options, q.answer, q.category) for q in bank.questions.all()}
    assert got["发现火灾应拨打（ ）。"] == ("single", ["110", "119", "120"], "B", "消防")
    assert got["安全帽可以不系下颌带。"] == ("judge", [], "B", "个人防护")
    assert got["交通信号灯包括（ ）。"] == ("multiple", ["红灯", "绿灯", "黄灯", "蓝灯"], "ABC", "交通")
    assert got["驾驶员可以酒后驾车。"] == ("judge", [], "B", "交通")
    assert got["禁止标志的颜色是（ ）。"] == ("single", ["红色", "蓝色", "黄色"], "A", "标志")
    # Generic stems recur with other options: two questions, told apart by their options.
    assert sorted(q.options for q in bank.questions.filter(stem="以下说法中，错误的是（ ）。")) == [
        ["丁", "戊", "己"],
        ["甲", "乙", "丙", "丁"],
    ]
    assert got["以下说法中，错误的是（ ）。"][0] == "multiple"
    assert [q.answer for q in bank.questions.all() if q.options == ["甲", "乙", "丙", "丁"]] == ["ABCD"]


def test_identical_repeated_row_is_imported_once_with_a_warning(bank):
    content = xlsx_bytes([OTHER_SYSTEM_HEADER, *OTHER_SYSTEM_ROWS])

    result = bank_import(bank=bank, file=content, filename="other.xlsx")

    assert bank.questions.filter(stem="发现火灾应拨打（ ）。").count() == 1
    repeat = [w for w in result.warnings if w["row"] == 8]
    assert len(repeat) == 1 and "2" in repeat[0]["message"]
    # The title-less header's unknown columns are known-but-ignored (序号, 分值): no warning for them.
    assert [w["row"] for w in result.warnings] == [8]


def test_unknown_extra_column_is_ignored_with_a_warning(bank):
    rows = [[*ZH_HEADER, "出题人"], *[[*r, "张三"] for r in ZH_ROWS]]

    result = bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert result.created == 3
    assert result.warnings == [{"row": 1, "column": "出题人", "message": result.warnings[0]["message"]}]
    assert "出题人" in result.warnings[0]["message"]


BAD_ROWS = [
    ZH_HEADER,
    ["单选", "正常的题（ ）。", "甲", "乙", "", "", "", "", "A", "", "", ""],  # row 2: fine
    ["填空", "类型不对。", "甲", "乙", "", "", "", "", "A", "", "", ""],  # row 3: unknown type
    ["单选", "答案超出选项。", "甲", "乙", "", "", "", "", "E", "", "", ""],  # row 4: no option E
    ["单选", "单选两个答案。", "甲", "乙", "丙", "", "", "", "AB", "", "", ""],  # row 5
    ["判断", "判断答案不明。", "", "", "", "", "", "", "也许", "", "", ""],  # row 6
    ["单选", "", "甲", "乙", "", "", "", "", "A", "", "", "9"],  # row 7: no stem, bad difficulty
    ["多选", "选项空缺。", "甲", "", "丙", "", "", "", "AC", "", "", ""],  # row 8: gap at B
    ["单选", "正常的题（ ）。", "甲", "乙", "", "", "", "", "B", "", "", ""],  # row 9: disagrees with row 2
    ["单选", "只有一个选项。", "甲", "", "", "", "", "", "A", "", "", ""],  # row 10
    ["单选", "选项重复。", "甲", "甲", "", "", "", "", "A", "", "", ""],  # row 11
]


def test_file_with_several_bad_rows_reports_each_and_writes_nothing(bank):
    with pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=xlsx_bytes(BAD_ROWS), filename="bad.xlsx")

    error = caught.value
    assert error.code == "invalid_rows"
    by_row = {}
    for item in error.errors:
        by_row.setdefault(item["row"], []).append(item["column"])
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert by_row[3] == ["题型"]
    assert by_row[4] == ["答案"]
    assert sorted(by_row[7]) == ["难度", "题干"]
    assert by_row[8] == ["选项A"]
    assert by_row[9] == ["答案"]
    assert bank.questions.count() == 0


def test_messages_are_in_the_users_language(bank):
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as zh:
        bank_import(bank=bank, file=xlsx_bytes(BAD_ROWS[:4]), filename="bad.xlsx")
    with translation.override("en"), pytest.raises(ApplicationError) as en:
        bank_import(bank=bank, file=xlsx_bytes(BAD_ROWS[:4]), filename="bad.xlsx")

    assert en.value.errors[0]["message"] == (
        "The type “填空” is not a choice question: fill-in questions are not supported "
        "(only single choice, multiple choice and true or false)."
    )
    assert zh.value.errors[0]["message"] == "题型“填空”不是选择题：不支持填空题（只支持单选、多选和判断）。"
    assert "没有导入" in zh.value.message


def test_answer_naming_a_missing_option_says_which(bank):
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=xlsx_bytes([BAD_ROWS[0], BAD_ROWS[3]]), filename="bad.xlsx")

    assert caught.value.errors == [{"row": 2, "column": "答案", "message": caught.value.errors[0]["message"]}]
    assert caught.value.errors[0]["message"] == (
        "The answer names option E, which this question does not have (its options are A, B)."
    )


def test_duplicate_option_letter_in_one_cell_is_an_error(bank):
    rows = [["题型", "题干", "选项", "答案"], ["单选", "重复字母。", "A.甲 B.乙 B.丙", "A"]]

    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert caught.value.errors[0]["row"] == 2
    assert caught.value.errors[0]["column"] == "选项"
    assert "B appears twice" in caught.value.errors[0]["message"]


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(bank):
    result = bank_import(bank=bank, file=xlsx_bytes(BAD_ROWS), filename="bad.xlsx", skip_invalid=True)

    assert result.created == 1
    assert list(bank.questions.values_list("stem", "answer")) == [("正常的题（ ）。", "A")]
    assert sorted({s["row"] for s in result.skipped}) == [3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_dry_run_counts_and_writes_nothing(bank):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, ZH_ROWS[0]]), filename="b.csv")
    changed = [*ZH_ROWS[0][:9], "新的解析", *ZH_ROWS[0][10:]]
    before = _questions(bank)

    result = bank_import(
        bank=bank, file=csv_bytes([ZH_HEADER, changed, *ZH_ROWS[1:]]), filename="b.csv", dry_run=True
    )

    assert (result.created, result.updated, result.unchanged, result.dry_run) == (2, 1, 0, True)
    assert [i.action for i in result.items] == ["updated", "created", "created"]
    assert _questions(bank) == before
    assert bank.questions.get().explanation == "119 是火警电话。"


def test_row_matching_stem_and_options_updates_the_question(bank):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *ZH_ROWS]), filename="b.csv")
    original = bank.questions.get(type="single")
    # Same stem and options, spaced and numbered differently: the same question, new answer data.
    changed = [
        "单选",
        "3.  火警电话是（ ）。 ",
        "110",
        "119",
        "120",
        "122",
        "",
        "",
        "B",
        "拨打119。",
        "消防安全",
        "中",
    ]

    result = bank_import(bank=bank, file=csv_bytes([ZH_HEADER, changed]), filename="b.csv")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    original.refresh_from_db()
    assert (original.explanation, original.category, original.difficulty) == ("拨打119。", "消防安全", 3)
    assert bank.questions.count() == 3


def test_same_stem_with_other_options_is_another_question(bank):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *ZH_ROWS]), filename="b.csv")
    other = ["单选", "火警电话是（ ）。", "119", "110", "", "", "", "", "A", "", "消防", "1"]

    result = bank_import(bank=bank, file=csv_bytes([ZH_HEADER, other]), filename="b.csv")

    assert result.created == 1
    assert bank.questions.filter(stem="火警电话是（ ）。").count() == 2


def test_importing_the_same_file_twice_changes_nothing(bank):
    content = xlsx_bytes([ZH_HEADER, *ZH_ROWS])
    bank_import(bank=bank, file=content, filename="b.xlsx")
    stamps = list(bank.questions.values_list("updated_at", flat=True))

    result = bank_import(bank=bank, file=content, filename="b.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(bank.questions.values_list("updated_at", flat=True)) == stamps


def test_deactivated_question_stays_deactivated_on_update(bank):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, ZH_ROWS[0]]), filename="b.csv")
    bank.questions.update(is_active=False)
    changed = [*ZH_ROWS[0][:9], "新的解析", *ZH_ROWS[0][10:]]

    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, changed]), filename="b.csv")

    assert bank.questions.get().is_active is False


@pytest.mark.parametrize(
    ("answer", "options", "expected"),
    [
        ("对", [], "A"),
        ("F", [], "B"),
        ("TRUE", [], "A"),
        ("false", [], "B"),
        ("B", [], "B"),
        ("×", [], "B"),
        ("A", ["错误", "正确"], "B"),
    ],
)
def test_judge_answers_in_every_wording(bank, answer, options, expected):
    rows = [
        ["题型", "题干", "选项A", "选项B", "答案"],
        ["是非题", "一道判断题。", *(options or ["", ""]), answer],
    ]

    bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    question = bank.questions.get()
    assert (question.type, question.options, question.answer) == ("judge", [], expected)


@pytest.mark.parametrize(
    ("value", "expected"), [("易", 1), ("中", 3), ("难", 5), ("4", 4), ("", 3), ("2.0", 2)]
)
def test_difficulty_numbers_and_words(bank, value, expected):
    rows = [["type", "stem", "A", "B", "answer", "difficulty"], ["single", "Q?", "x", "y", "A", value]]

    bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert bank.questions.get().difficulty == expected


def test_excel_boolean_cell_is_a_judge_answer(bank):
    rows = [["type", "stem", "answer"], ["judge", "Fire doors must be kept closed.", True]]

    bank_import(bank=bank, file=xlsx_bytes(rows), filename="b.xlsx")

    assert bank.questions.get().answer == "A"


def test_missing_required_column_is_a_file_error(bank):
    rows = [["题型", "题干", "选项A", "选项B"], ["单选", "题", "甲", "乙"]]

    with translation.override("en"), pytest.raises(TabularFileError) as caught:
        bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert caught.value.code == "missing_columns"
    assert "answer" in caught.value.message and "正确答案" in caught.value.message


def test_unrecognised_headers_name_found_and_accepted(bank):
    rows = [["Frage", "Antwort"], ["Was?", "A"]]

    with translation.override("en"), pytest.raises(TabularFileError) as caught:
        bank_import(bank=bank, file=csv_bytes(rows), filename="b.csv")

    assert caught.value.code == "unrecognised_headers"
    assert "“Frage”" in caught.value.message and "题干" in caught.value.message


def test_bank_create_rejects_a_taken_name(bank):
    with pytest.raises(ApplicationError) as caught:
        bank_create(name="测试题库")

    assert caught.value.code == "name_taken"


def test_a_failure_while_writing_leaves_the_bank_as_it_was(bank, monkeypatch):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, ZH_ROWS[0]]), filename="b.csv")
    before = _questions(bank)
    changed = [*ZH_ROWS[0][:9], "新的解析", *ZH_ROWS[0][10:]]

    def broken_update(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("quiz.services.banks._update_rows", broken_update)
    with pytest.raises(RuntimeError):
        bank_import(bank=bank, file=csv_bytes([ZH_HEADER, changed, *ZH_ROWS[1:]]), filename="b.csv")

    assert _questions(bank) == before  # the two rows created before the failure were rolled back
