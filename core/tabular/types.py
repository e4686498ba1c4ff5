"""What reading a sheet produces: rows, the table, the per-row error list and the file error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.exceptions import ApplicationError

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)


class TabularFileError(ApplicationError):
    """The uploaded file as a whole cannot be read (as opposed to problems in single rows)."""


@dataclass(frozen=True)
class Row:
    """One row of the sheet: `number` is the row number the spreadsheet shows (header = 1)."""

    number: int
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)


@dataclass
class Table:
    """A sheet read from a file: the header row, then the non-blank data rows below it."""

    format: str
    header: tuple[str, ...]
    header_row: int
    rows: list[Row]


@dataclass
class ErrorList:
    """Collects row problems as `{row, column, message}` so all of them are reported at once."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *, row: int | None, column: str, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": str(message)})

    def rows(self) -> set[int]:
        return {item["row"] for item in self.items if item["row"] is not None}

    def for_row(self, row: int) -> list[dict[str, Any]]:
        return [item for item in self.items if item["row"] == row]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.items)
