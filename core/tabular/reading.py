"""Reading an uploaded .xlsx or .csv into a `Table`: limits, format checks, decoding, rows."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.tabular.formulas import csv_unquote
from core.tabular.types import FORMATS, XLSX, Row, Table, TabularFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, .doc
# An .xlsx may unpack to many times its size; beyond this ratio of the size limit it is refused
# before parsing (a "zip bomb" would otherwise exhaust memory).
_MAX_UNPACKED_RATIO = 30
# Rows read (blank ones included) beyond which a sheet is refused even if most rows are blank.
_BLANK_ROW_ALLOWANCE = 10_000


def format_of(filename: str) -> str:
    """ "xlsx" or "csv" from a file name; TabularFileError for anything else."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "xls":
        raise TabularFileError(
            _(
                "The old Excel format .xls is not supported. Open the file in Excel or WPS and save it as .xlsx."
            ),
            code="unsupported_file_type",
        )
    raise TabularFileError(
        _("Only .xlsx and .csv files can be imported; “%(name)s” is neither.") % {"name": filename or "?"},
        code="unsupported_file_type",
    )


def read_table(
    *,
    file: IO[bytes] | bytes,
    filename: str,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    is_header: Any = None,
    header_search_rows: int = 10,
) -> Table:
    """Read the first sheet of an uploaded .xlsx or .csv into a `Table`.

    `file` is an uploaded file (anything with `.read()`) or bytes; `filename` decides the
    expected format, and the content must match it. The header is the first non-blank row, or,
    when `is_header(cells) -> bool` is given, the first of the first `header_search_rows`
    non-blank rows it accepts (exports of other systems often put a title above the header).
    Blank rows are dropped; data rows keep their spreadsheet numbers.

    Raises TabularFileError (400) for a file too big, with too many rows, empty, unreadable or
    not what its name claims.
    """
    max_bytes = settings.IMPORT_MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    fmt = format_of(filename)
    data = _read_limited(file, max_bytes)
    if not data.strip():
        raise TabularFileError(_("The file is empty."), code="empty_file")
    _check_content_matches(data, fmt)

    # Data rows allowed plus room for a title and header above them.
    row_cap = max_rows + header_search_rows + 1
    rows = (
        _xlsx_rows(data, max_bytes, row_cap, max_rows) if fmt == XLSX else _csv_rows(data, row_cap, max_rows)
    )
    non_blank = [row for row in rows if not row.is_blank]
    if not non_blank:
        raise TabularFileError(_("The file has no rows: not even a header."), code="empty_file")

    header_index = 0
    if is_header is not None:
        for index, row in enumerate(non_blank[:header_search_rows]):
            if is_header(row.cells):
                header_index = index
                break
    header = non_blank[header_index]
    data_rows = non_blank[header_index + 1 :]
    if not data_rows:
        raise TabularFileError(_("The file has a header row but no data rows."), code="empty_file")
    if len(data_rows) > max_rows:
        raise _too_many_rows(max_rows)
    width = len(header.cells)
    return Table(
        format=fmt,
        header=_trim_trailing_blanks(header.cells),
        header_row=header.number,
        # Every row as wide as the header (a new Row only where cells are missing: most rows are).
        rows=[
            r if len(r.cells) >= width else Row(r.number, r.cells + ("",) * (width - len(r.cells)))
            for r in data_rows
        ],
    )


def _read_limited(file: IO[bytes] | bytes, max_bytes: int) -> bytes:
    too_big = TabularFileError(
        _("The file is larger than %(size)s; split it into smaller files.")
        % {"size": _human_size(max_bytes)},
        code="file_too_large",
        extra={"max_bytes": max_bytes},
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_big
    return data


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} B"


def _sniff_kind(data: bytes) -> str | None:
    """What binary container the bytes are, if any: "zip", "ole", "pdf" or None (text)."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    return None


def _check_content_matches(data: bytes, fmt: str) -> None:
    kind = _sniff_kind(data)
    if fmt == XLSX:
        if kind == "zip":
            return
        if kind == "ole":
            message = _(
                "The file is named .xlsx but is in the old .xls format (or is encrypted). "
                "Open it in Excel or WPS and save it as .xlsx."
            )
        elif kind is None and _looks_like_text(data):
            message = _("The file is named .xlsx but contains plain text (perhaps CSV). Rename it to .csv.")
        else:
            message = _("The file is named .xlsx but is not an Excel workbook.")
        raise TabularFileError(message, code="file_type_mismatch")
    # CSV: must be text.
    if kind == "zip":
        message = _("The file is named .csv but is an Excel workbook or another archive. Rename it to .xlsx.")
    elif kind == "ole":
        message = _(
            "The file is named .csv but is an old Excel (.xls) or Word file. Save it as .csv or .xlsx."
        )
    elif kind == "pdf":
        message = _("The file is named .csv but is a PDF document.")
    elif not _looks_like_text(data):
        message = _("The file is named .csv but is not a text file.")
    else:
        return
    raise TabularFileError(message, code="file_type_mismatch")


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


def _trim_trailing_blanks(cells: tuple[str, ...]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def cell_text(value: Any) -> str:
    """A cell value as the text the user sees: 3.0 -> "3", TRUE -> "TRUE", None -> "".

    An .xlsx keeps formula-like text as text (no quote added on export), so nothing is unquoted here;
    CSV cells are (`csv_unquote` in `_csv_rows`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _too_many_rows(max_rows: int) -> TabularFileError:
    return TabularFileError(
        ngettext(
            "The file has more than %(max)d data row; split it into smaller files.",
            "The file has more than %(max)d data rows; split it into smaller files.",
            max_rows,
        )
        % {"max": max_rows},
        code="too_many_rows",
        extra={"max_rows": max_rows},
    )


def _xlsx_rows(data: bytes, max_bytes: int, row_cap: int, max_rows: int) -> list[Row]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TabularFileError(
            _("The .xlsx file is damaged and cannot be opened."), code="unreadable_file"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise TabularFileError(
            _(
                "The file is named .xlsx but is not an Excel workbook (perhaps a Word document or another archive)."
            ),
            code="file_type_mismatch",
        )
    if unpacked > max_bytes * _MAX_UNPACKED_RATIO:
        raise TabularFileError(
            _("The workbook is too large once unpacked; split it into smaller files."), code="file_too_large"
        )

    rows: list[Row] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is None:
                raise TabularFileError(_("The workbook has no worksheet."), code="empty_file")
            # In read-only mode openpyxl yields rows from row 1, filling gaps with empty rows, so
            # the position is the spreadsheet row number.
            non_blank = 0
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = tuple(cell_text(v) for v in values)
                if any(cells):
                    non_blank += 1
                    if non_blank > row_cap:
                        raise _too_many_rows(max_rows)
                elif number > row_cap + _BLANK_ROW_ALLOWANCE and number > 2 * non_blank:
                    # Thousands of formatted but empty rows: stop reading, nothing more follows
                    # in practice; a huge sheet is refused by the non-blank count above.
                    break
                rows.append(Row(number, cells))
        finally:
            workbook.close()
    except TabularFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged or foreign content
        raise TabularFileError(
            _("The .xlsx file cannot be read (%(reason)s). Open it in Excel or WPS and save it again.")
            % {"reason": type(exc).__name__},
            code="unreadable_file",
        ) from exc
    return rows


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (Excel in China)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularFileError(
        _("The text encoding of the file is not recognised. Save it as “CSV UTF-8” or as .xlsx."),
        code="unreadable_file",
    )


def _sniff_delimiter(text: str) -> str:
    """Comma unless the first non-blank line clearly uses tabs or semicolons."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _csv_rows(data: bytes, row_cap: int, max_rows: int) -> list[Row]:
    text = decode_text(data)
    if "\x00" in text:
        raise TabularFileError(_("The file is named .csv but is not a text file."), code="file_type_mismatch")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[Row] = []
    non_blank = 0
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            cells = tuple(csv_unquote(cell.strip()) for cell in record)
            if any(cells):
                non_blank += 1
                if non_blank > row_cap:
                    raise _too_many_rows(max_rows)
            rows.append(Row(number, cells))
    except csv.Error as exc:
        raise TabularFileError(
            _("The CSV file cannot be read near row %(row)d: %(reason)s.")
            % {"row": len(rows) + 1, "reason": exc},
            code="unreadable_file",
        ) from exc
    return rows
