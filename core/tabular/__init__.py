"""Reading uploaded spreadsheets (.xlsx, .csv) into rows, for every import of the platform.

Generic on purpose: question banks use it today, units (organizations) tomorrow. It knows nothing
about what the columns mean; an importer

1. calls `read_table(file=..., filename=...)`, which enforces the limits (settings
   IMPORT_MAX_FILE_BYTES and IMPORT_MAX_ROWS), checks the file is what its name claims, decodes CSV
   (UTF-8 with or without BOM, UTF-16 as Excel's "Unicode text", GB18030 as Excel in China saves
   it) and returns every row with the row number the spreadsheet shows;
2. calls `resolve_header(table.header, columns=[Column(...), ...])` to map the header row onto its
   own column keys through their English, Chinese and other systems' names;
3. validates cells, recording every problem in an `ErrorList` (`{row, column, message}`), so the
   user sees all of them at once instead of one per upload.

Problems with the file as a whole (too big, empty, not really an .xlsx, header not recognised)
raise `TabularFileError`, an `ApplicationError` answering 400 with a readable message and a
machine `code`. Every message is translated into the caller's language.

The package is split along its seams: `types` (rows, tables, the error list and the file error),
`reading` (limits, format checks, decoding, sheets to rows), `writing` (CSV and .xlsx out), `formulas` (formula-like text
kept text both ways) and
`headers` (matching a header row onto an importer's columns). Import from `core.tabular`.
"""

from core.tabular.formulas import csv_quote, csv_unquote
from core.tabular.headers import Column, HeaderMap, normalize_header, resolve_header
from core.tabular.reading import cell_text, decode_text, format_of, read_table
from core.tabular.types import CSV, FORMATS, XLSX, ErrorList, Row, Table, TabularFileError
from core.tabular.writing import write_csv, write_csv_rows, write_xlsx, xlsx_text_cell

__all__ = [
    "CSV",
    "FORMATS",
    "XLSX",
    "Column",
    "ErrorList",
    "HeaderMap",
    "Row",
    "Table",
    "TabularFileError",
    "cell_text",
    "csv_quote",
    "csv_unquote",
    "decode_text",
    "format_of",
    "normalize_header",
    "read_table",
    "resolve_header",
    "write_csv",
    "write_csv_rows",
    "write_xlsx",
    "xlsx_text_cell",
]
