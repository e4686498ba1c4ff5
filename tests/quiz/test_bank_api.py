"""The question-bank endpoints of docs/api.md: list, create, import, export, template."""

import codecs
import io

import pytest
from openpyxl import load_workbook

from quiz.models import Question, QuestionBank
from quiz.services.banks import bank_create, bank_import
from tests.support.bank_files import EN_HEADER, EN_ROWS, ZH_HEADER, ZH_ROWS, csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(linxia, make_client):
    return make_client(linxia["admin"])


@pytest.fixture
def bank(db) -> QuestionBank:
    return bank_create(name="测试题库")


def _import(client, bank, name, content, language="en", **data):
    return client.post(
        f"/api/v1/banks/{bank.pk}/import/",
        {"file": upload(name, content), **data},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_create_and_list_banks(admin_client):
    created = admin_client.post("/api/v1/banks/", {"name": "消防题库", "description": "d"}, format="json")

    assert created.status_code == 201
    assert created.json()["name"] == "消防题库" and created.json()["question_count"] == 0
    listed = admin_client.get("/api/v1/banks/").json()
    assert [(b["name"], b["question_count"]) for b in listed] == [("消防题库", 0)]


def test_create_with_a_taken_name_is_400(admin_client, bank):
    response = admin_client.post("/api/v1/banks/", {"name": "测试题库"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "name_taken"


def test_import_answers_counts_and_list_shows_them(admin_client, bank):
    response = _import(admin_client, bank, "b.xlsx", xlsx_bytes([ZH_HEADER, *ZH_ROWS]))

    assert response.status_code == 200
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "warnings": [],
        "skipped": [],
    }
    assert admin_client.get("/api/v1/banks/").json()[0]["question_count"] == 3


def test_dry_run_answers_rows_and_writes_nothing(admin_client, bank):
    response = _import(admin_client, bank, "b.csv", csv_bytes([EN_HEADER, *EN_ROWS]), dry_run="true")

    body = response.json()
    assert response.status_code == 200
    assert (body["created"], body["dry_run"]) == (3, True)
    assert [r["action"] for r in body["rows"]] == ["created"] * 3
    assert bank.questions.count() == 0


def test_bad_rows_answer_400_with_every_row_and_write_nothing(admin_client, bank):
    rows = [
        ZH_HEADER,
        ZH_ROWS[0],
        ["填空", "x", "", "", "", "", "", "", "A", "", "", ""],
        ["单选", "y", "甲", "乙", "", "", "", "", "Z", "", "", "7"],
    ]

    response = _import(admin_client, bank, "b.csv", csv_bytes(rows))

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid_rows"
    assert sorted({(e["row"], e["column"]) for e in body["errors"]}) == [
        (3, "题型"),
        (4, "答案"),
        (4, "难度"),
    ]
    assert all(set(e) == {"row", "column", "message"} for e in body["errors"])
    assert bank.questions.count() == 0


def test_skip_invalid_answers_the_skipped_rows(admin_client, bank):
    rows = [ZH_HEADER, ZH_ROWS[0], ["填空", "x", "", "", "", "", "", "", "A", "", "", ""]]

    response = _import(admin_client, bank, "b.csv", csv_bytes(rows), skip_invalid="true")

    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert [s["row"] for s in response.json()["skipped"]] == [3]


def _big_csv(rows: int) -> bytes:
    return csv_bytes(
        [EN_HEADER, *[["single", f"Q{i}?", "a", "b", "", "", "", "", "A", "", "", ""] for i in range(rows)]]
    )


@pytest.mark.parametrize(
    ("name", "content", "code", "phrase"),
    [
        ("b.xlsx", b"type,stem\r\nsingle,x\r\n", "file_type_mismatch", "plain text"),
        ("b.csv", xlsx_bytes([EN_HEADER, EN_ROWS[0]]), "file_type_mismatch", "Excel workbook"),
        ("b.csv", b"", "empty_file", "empty"),
        ("b.xlsx", xlsx_bytes([]), "empty_file", "no rows"),
        (
            "b.csv",
            csv_bytes([["type", "stem", "A", "B"], ["single", "x", "a", "b"]]),
            "missing_columns",
            "answer",
        ),
        ("b.csv", csv_bytes([["Frage", "Antwort"], ["x", "y"]]), "unrecognised_headers", "Frage"),
        ("b.pdf", b"%PDF-1.4", "unsupported_file_type", ".xlsx"),
    ],
    ids=[
        "xlsx-is-csv",
        "csv-is-xlsx",
        "empty",
        "empty-sheet",
        "missing-column",
        "unrecognised-headers",
        "pdf",
    ],
)
def test_malformed_files_answer_400_with_their_message(admin_client, bank, name, content, code, phrase):
    response = _import(admin_client, bank, name, content)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert phrase in response.json()["detail"]
    assert bank.questions.count() == 0


def test_too_big_file_answers_400(admin_client, bank, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024

    response = _import(admin_client, bank, "b.csv", _big_csv(100))

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "1 KB" in response.json()["detail"]


def test_too_many_rows_answers_400(admin_client, bank, settings):
    settings.IMPORT_MAX_ROWS = 50

    response = _import(admin_client, bank, "b.csv", _big_csv(51))

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_rows"
    assert "50" in response.json()["detail"]


def test_missing_file_answers_400(admin_client, bank):
    response = admin_client.post(f"/api/v1/banks/{bank.pk}/import/", {"dry_run": "true"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "file_required"


def test_unknown_bank_is_404(admin_client):
    response = _import(admin_client, type("B", (), {"pk": 999})(), "b.csv", csv_bytes([EN_HEADER, *EN_ROWS]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/banks/"),
        ("post", "/api/v1/banks/"),
        ("post", "/api/v1/banks/{id}/import/"),
        ("get", "/api/v1/banks/{id}/export/?format=csv"),
        ("get", "/api/v1/banks/import-template/?format=xlsx"),
    ],
)
def test_participant_gets_403_and_anonymous_401(participant, make_client, api_client, bank, method, path):
    url = path.format(id=bank.pk)

    assert getattr(make_client(participant), method)(url).status_code == 403
    assert getattr(api_client, method)(url).status_code == 401


def test_organizer_is_not_an_admin(linxia, make_client, bank):
    assert make_client(linxia["organizer"]).get("/api/v1/banks/").status_code == 403


def _snapshot(bank) -> list[tuple]:
    return list(
        Question.objects.filter(bank=bank)
        .order_by("id")
        .values_list(
            "id", "type", "stem", "options", "answer", "explanation", "category", "difficulty", "updated_at"
        )
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_export_then_import_changes_nothing(admin_client, fmt, language):
    bank = bank_create(name=f"bank-{language}", language=language)
    tricky = [
        [
            "single",
            "=1+1 is a formula?",
            "=SUM(A1)",
            "-5",
            "+7",
            "@x",
            "",
            "",
            "A",
            "line one\nline two",
            "Excel",
            "5",
        ],
        ["multiple", '  Spaced, "quoted" stem ', "a, b", "c;d", "e\tf", "g", "h", "i", "ACEF", "", "", "4"],
        ["judge", "False one", "", "", "", "", "", "", "F", "", "", "3"],
    ]
    bank_import(bank=bank, file=xlsx_bytes([EN_HEADER, *EN_ROWS, *tricky]), filename="b.xlsx")
    before = _snapshot(bank)

    exported = admin_client.get(f"/api/v1/banks/{bank.pk}/export/?format={fmt}")
    result = _import(admin_client, bank, f"export.{fmt}", exported.content)

    assert exported.status_code == 200
    assert result.json()["unchanged"] == 6 and result.json()["created"] == result.json()["updated"] == 0
    assert _snapshot(bank) == before


def test_csv_export_is_utf8_with_bom_and_chinese_headers(admin_client, bank):
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *ZH_ROWS]), filename="b.csv")

    response = admin_client.get(f"/api/v1/banks/{bank.pk}/export/?format=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(ZH_HEADER)
    assert lines[3].startswith("判断,每年 6 月是全国“安全生产月”。,,,,,,,正确,")


def test_export_of_an_unknown_format_is_400(admin_client, bank):
    response = admin_client.get(f"/api/v1/banks/{bank.pk}/export/?format=pdf")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_format"


def test_template_xlsx_has_an_example_per_type_and_a_type_dropdown(admin_client, bank):
    response = admin_client.get("/api/v1/banks/import-template/?format=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ZH_HEADER
    assert [r[0] for r in rows[1:]] == ["单选", "多选", "判断"]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].formula1 == '"单选,多选,判断"'
    assert str(validations[0].sqref).startswith("A2:A")
    # And the template itself imports.
    result = _import(admin_client, bank, "template.xlsx", response.content)
    assert result.json()["created"] == 3


def test_template_csv_in_english(admin_client, bank):
    response = admin_client.get("/api/v1/banks/import-template/?format=csv", HTTP_ACCEPT_LANGUAGE="en")

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(EN_HEADER)
    assert [line.split(",")[0] for line in lines[1:]] == ["single", "multiple", "judge"]
    assert _import(admin_client, bank, "template.csv", response.content).json()["created"] == 3


def test_schema_describes_the_bank_endpoints(admin_client):
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = (
        response.json()["paths"] if response["Content-Type"].endswith("json") else response.content.decode()
    )
    for path in (
        "/api/v1/banks/",
        "/api/v1/banks/{bank_id}/import/",
        "/api/v1/banks/{bank_id}/export/",
        "/api/v1/banks/import-template/",
    ):
        assert path in paths


def test_errors_come_in_the_callers_language(admin_client, bank):
    rows = [ZH_HEADER, ["填空", "x", "", "", "", "", "", "", "A", "", "", ""]]

    zh = _import(admin_client, bank, "b.csv", csv_bytes(rows), language="zh-hans").json()
    en = _import(admin_client, bank, "b.csv", csv_bytes(rows), language="en").json()

    assert zh["errors"][0]["message"].startswith("题型“填空”不是选择题")
    assert en["errors"][0]["message"].startswith("The type “填空” is not a choice question")
    assert "没有导入任何试题" in zh["detail"]


HYPERLINK = '=HYPERLINK("http://evil.example/x","点击")'


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("-5", "'-5"),
        ("+7", "'+7"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("'=already quoted", "''=already quoted"),
        ("it's fine", "it's fine"),
        ("'plain", "'plain"),
        ("安全", "安全"),
    ],
)
def test_csv_quote_neutralises_formulas_and_csv_unquote_undoes_it_exactly(text, written):
    from core.tabular import csv_quote, csv_unquote

    assert csv_quote(text) == written
    assert csv_unquote(written) == text


def test_bank_exports_write_formula_stems_as_text_and_import_them_back_unchanged(admin_client):
    bank = bank_create(name="formulas", language="zh-hans")
    rows = [
        ["单选", HYPERLINK, "-1", "+1", "@a", "'=b", "", "", "A", "=2+2", "=CMD()", "3"],
        ["判断", "'=quoted stem", "", "", "", "", "", "", "正确", "", "", "1"],
    ]
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *rows]), filename="f.csv")
    before = _snapshot(bank)
    single = Question.objects.get(bank=bank, type="single")
    # A CSV cell "'=b" reads as "=b": the quote is how CSV exports (ours and others') keep text text.
    assert (single.stem, single.options[3]) == (HYPERLINK, "=b")

    csv_export = admin_client.get(f"/api/v1/banks/{bank.pk}/export/?format=csv").content
    xlsx_export = admin_client.get(f"/api/v1/banks/{bank.pk}/export/?format=xlsx").content

    lines = csv_export.decode("utf-8-sig").splitlines()
    assert lines[1] == (
        '单选,"\'=HYPERLINK(""http://evil.example/x"",""点击"")",\'-1,\'+1,\'@a,\'=b,,,A,\'=2+2,\'=CMD(),3'
    )
    sheet = load_workbook(io.BytesIO(xlsx_export)).active
    stem = sheet["B2"]
    assert (stem.value, stem.data_type, stem.quotePrefix) == (HYPERLINK, "s", True)
    assert [c.data_type for c in sheet[2]][:6] == ["s"] * 6
    for name, content in (("export.csv", csv_export), ("export.xlsx", xlsx_export)):
        result = _import(admin_client, bank, name, content).json()
        assert (result["unchanged"], result["created"], result["updated"]) == (2, 0, 0)
    assert _snapshot(bank) == before
