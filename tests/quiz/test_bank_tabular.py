"""core.tabular: reading uploaded sheets, limits, encodings, header names (generic, reused by other imports)."""

import codecs
import io
import zipfile

import pytest
from openpyxl import Workbook

from core.tabular import Column, TabularFileError, normalize_header, read_table, resolve_header, write_csv
from tests.support.bank_files import csv_bytes, xlsx_bytes

ROWS = [["名称", "人数"], ["临夏市应急管理局", "60"], ["", ""], ["东乡县第一中学", "150"]]


def test_csv_utf8_rows_keep_spreadsheet_numbers_and_drop_blank_rows():
    table = read_table(file=csv_bytes(ROWS), filename="units.csv")

    assert table.header == ("名称", "人数")
    assert [(r.number, r.cells) for r in table.rows] == [
        (2, ("临夏市应急管理局", "60")),
        (4, ("东乡县第一中学", "150")),
    ]


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(ROWS, bom=True),
        csv_bytes(ROWS, encoding="gb18030"),
        codecs.BOM_UTF16_LE + csv_bytes(ROWS, encoding="utf-16-le", delimiter="\t"),
        csv_bytes(ROWS, delimiter=";"),
    ],
    ids=["utf8-bom", "gb18030", "utf16-tabs", "semicolons"],
)
def test_csv_encodings_and_delimiters_read_the_same(content):
    table = read_table(file=content, filename="units.csv")

    assert table.header == ("名称", "人数")
    assert [r.cells[0] for r in table.rows] == ["临夏市应急管理局", "东乡县第一中学"]


def test_xlsx_row_numbers_count_gaps_and_numbers_read_as_shown():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "名称", "人数"
    sheet["A2"], sheet["B2"] = "甲", 60.0
    sheet["A7"], sheet["B7"] = "乙", True
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(file=buffer.getvalue(), filename="units.xlsx")

    assert [(r.number, r.cells) for r in table.rows] == [(2, ("甲", "60")), (7, ("乙", "TRUE"))]


def test_header_may_sit_below_a_title_row():
    content = xlsx_bytes([["名称", "人数"], ["甲", "1"]], title_rows=[["2026 年单位名单"], []])

    table = read_table(file=content, filename="u.xlsx", is_header=lambda cells: "名称" in cells)

    assert table.header_row == 3
    assert table.rows[0].number == 4


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.xlsx", b"name,count\r\nx,1\r\n", "file_type_mismatch"),
        ("a.csv", xlsx_bytes([["a"], ["b"]]), "file_type_mismatch"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file_type_mismatch"),
        ("a.csv", b"%PDF-1.4 ...", "file_type_mismatch"),
        ("a.csv", b"\x00\x01\x02binary", "file_type_mismatch"),
        ("a.xls", b"whatever", "unsupported_file_type"),
        ("a.txt", b"a,b", "unsupported_file_type"),
        ("a.csv", b"", "empty_file"),
        ("a.csv", b" \r\n\r\n", "empty_file"),
        ("a.csv", b"name,count\r\n", "empty_file"),
    ],
)
def test_bad_files_raise_a_coded_error(name, content, code):
    with pytest.raises(TabularFileError) as caught:
        read_table(file=content, filename=name)

    assert caught.value.code == code
    assert caught.value.message


def test_a_zip_that_is_not_a_workbook_is_named_so():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    with pytest.raises(TabularFileError) as caught:
        read_table(file=buffer.getvalue(), filename="a.xlsx")

    assert caught.value.code == "file_type_mismatch"


def test_size_limit(settings):
    settings.IMPORT_MAX_FILE_BYTES = 100

    with pytest.raises(TabularFileError) as caught:
        read_table(file=b"a,b\r\n" + b"x,y\r\n" * 30, filename="a.csv")

    assert caught.value.code == "file_too_large"
    assert "100 B" in caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_row_limit(settings, fmt):
    settings.IMPORT_MAX_ROWS = 5
    rows = [["a", "b"], *[[str(i), "x"] for i in range(6)]]
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)

    with pytest.raises(TabularFileError) as caught:
        read_table(file=content, filename=f"a.{fmt}")

    assert caught.value.code == "too_many_rows"
    assert "5" in caught.value.message


def test_row_limit_counts_data_rows_only(settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [["a", "b"], *[[str(i), "x"] for i in range(5)]]

    assert len(read_table(file=csv_bytes(rows), filename="a.csv").rows) == 5


def test_normalize_header_ignores_case_spaces_marks_and_notes():
    assert normalize_header(" 难度（1-5） ") == "难度"
    assert normalize_header("题干*") == "题干"
    assert normalize_header("Option_A") == "optiona"


COLUMNS = [Column("name", ("名称", "单位名称"), required=True), Column("count", ("人数",))]


def test_resolve_header_maps_any_order_and_alias():
    header = resolve_header(["人数", "单位名称", "备注"], columns=COLUMNS, ignore=["备注"])

    assert header.index == {"count": 0, "name": 1}
    assert header.name("name") == "单位名称"
    assert header.ignored == ["备注"]


def test_resolve_header_missing_required_column():
    with pytest.raises(TabularFileError) as caught:
        resolve_header(["人数"], columns=COLUMNS)

    assert caught.value.code == "missing_columns"
    assert caught.value.errors[0]["column"] == "name"


def test_resolve_header_unrecognised_names_found_and_accepted():
    with pytest.raises(TabularFileError) as caught:
        resolve_header(["foo", "bar"], columns=COLUMNS)

    assert caught.value.code == "unrecognised_headers"
    assert "“foo”" in caught.value.message and "单位名称" in caught.value.message


def test_resolve_header_same_column_twice():
    with pytest.raises(TabularFileError) as caught:
        resolve_header(["名称", "单位名称"], columns=COLUMNS)

    assert caught.value.code == "duplicate_columns"


def test_write_csv_has_bom_and_reads_back():
    content = write_csv(header=["名称"], rows=[["甲"], ["=1+1"]])

    assert content.startswith(codecs.BOM_UTF8)
    assert [r.cells for r in read_table(file=content, filename="a.csv").rows] == [("甲",), ("=1+1",)]
