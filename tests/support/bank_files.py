"""Building question-bank files in tests: .xlsx with openpyxl, .csv in any encoding."""

import codecs
import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

ZH_HEADER = [
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
]
EN_HEADER = ["type", "stem", "A", "B", "C", "D", "E", "F", "answer", "explanation", "category", "difficulty"]

ZH_ROWS = [
    ["单选", "火警电话是（ ）。", "110", "119", "120", "122", "", "", "B", "119 是火警电话。", "消防", "1"],
    [
        "多选",
        "灭火器使用要点有（ ）。",
        "拔掉保险销",
        "站在上风方向",
        "对准火焰根部",
        "对准火焰顶部",
        "",
        "",
        "ABC",
        "",
        "消防",
        "2",
    ],
    [
        "判断",
        "每年 6 月是全国“安全生产月”。",
        "",
        "",
        "",
        "",
        "",
        "",
        "正确",
        "自 2002 年起。",
        "安全生产月",
        "1",
    ],
]
EN_ROWS = [
    [
        "single",
        "Which number reports a fire?",
        "110",
        "119",
        "120",
        "122",
        "",
        "",
        "B",
        "119 is fire.",
        "Fire",
        "1",
    ],
    [
        "multiple",
        "Using an extinguisher:",
        "Pull the pin",
        "Stand upwind",
        "Aim at the base",
        "Aim at the top",
        "",
        "",
        "ABC",
        "",
        "Fire",
        "2",
    ],
    [
        "judge",
        "June is Safety Production Month.",
        "",
        "",
        "",
        "",
        "",
        "",
        "true",
        "Since 2002.",
        "Safety Month",
        "1",
    ],
]


def xlsx_bytes(rows: list[list], *, title_rows: list[list] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in (title_rows or []) + rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # "=1+1" typed as text, as Excel keeps it with a leading '
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", bom: bool = False, delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
