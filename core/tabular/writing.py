"""Writing rows out as CSV (UTF-8 with BOM) or .xlsx (text stays text)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.tabular.formulas import csv_quote, needs_quote


def write_csv_rows(*, rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV bytes in UTF-8 with BOM (so Excel in China opens it correctly), CRLF line ends; every text
    cell neutralised with `csv_quote`. The one CSV writer of the platform."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else csv_quote(v) for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_csv(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A header and rows as CSV (see `write_csv_rows`)."""
    return write_csv_rows(rows=[list(header), *rows])


def xlsx_text_cell(cell: Any) -> None:
    """Keep a text cell text in an .xlsx: openpyxl stores a string starting with "=" as a formula;
    store it as a string, with Excel's quote prefix so that editing the cell keeps it text."""
    if isinstance(cell.value, str) and (cell.data_type == "f" or needs_quote(cell.value)):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_xlsx(
    *,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
    column_widths: dict[int, float] | None = None,
    choices: dict[int, Sequence[str]] | None = None,
    max_rows: int | None = None,
) -> bytes:
    """An .xlsx with a bold, frozen header. Text stays text: a cell "=1+1" is never a formula.

    `choices` maps a 0-based column index to allowed values, shown as a drop-down (data
    validation) on that column's data cells, down to row `max_rows + 1`.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            xlsx_text_cell(cell)
    sheet.freeze_panes = "A2"
    for index, width in (column_widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    last_row = (max_rows or settings.IMPORT_MAX_ROWS) + 1
    for index, values in (choices or {}).items():
        letter = get_column_letter(index + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.error = _("Choose a value from the list.")
        validation.errorTitle = _("Invalid value")
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last_row}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
