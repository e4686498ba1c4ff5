"""Formula injection in exported spreadsheets, and its exact inverse for imports.

A spreadsheet evaluates a CSV cell starting with = + - @ (or tab/CR) as a formula; a bulletin title or
unit name like `=HYPERLINK("http://…","点击")` would run on an organizer's machine. Exports write such
text with a leading `'` (`csv_quote`); every import reads it back without it (`csv_unquote`), so an
export imported again changes nothing.
"""

from __future__ import annotations

from typing import Any

# A spreadsheet reads a cell starting with one of these as a formula (tab and CR too, after
# which some programs drop the whitespace and evaluate the rest): "=HYPERLINK(...)" in a unit
# name must stay text when an organizer opens the export.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula."""
    # Also text that is already quotes followed by a trigger, so that `csv_unquote` undoes
    # exactly what `csv_quote` did, whatever the text ("'=x" goes out as "''=x").
    stripped = text.lstrip("'")
    return stripped.startswith(FORMULA_TRIGGERS)


def csv_quote(value: Any) -> Any:
    """A CSV cell neutralised against formula injection: text that a spreadsheet would evaluate gets
    a leading `'`. Numbers pass as they are. `csv_unquote` is the inverse."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def csv_unquote(text: str) -> str:
    """Undo `csv_quote`: exports imported again change nothing."""
    if text.startswith("'") and needs_quote(text[1:]):
        return text[1:]
    return text
