"""Matching a header row onto an importer's columns through their accepted names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.tabular.types import ErrorList, TabularFileError

_HEADER_NOISE_RE = re.compile(r"[\s*＊_\-:：]+")
_HEADER_NOTE_RE = re.compile(r"[(（\[【].*?[)）\]】]\s*$")


def normalize_header(name: str) -> str:
    """A header as compared with the accepted names: NFKC, lower case, without spaces,
    underscores, colons, required-marks (`题干*`) or a trailing note in brackets (`难度（1-5）`)."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    text = _HEADER_NOTE_RE.sub("", text) or text
    return _HEADER_NOISE_RE.sub("", text).lower()


@dataclass(frozen=True)
class Column:
    """A column an importer understands: its key, the names accepted for it, whether required.

    `label` is the name shown in messages when the column is missing (lazy-translated text).
    A `repeatable` column may appear more than once (e.g. two category-like columns, `作业种类`
    and `章节`): the first is in `HeaderMap.index`, all of them in `HeaderMap.positions`.
    """

    key: str
    names: tuple[str, ...]
    required: bool = False
    label: Any = None
    repeatable: bool = False


@dataclass
class HeaderMap:
    """Result of `resolve_header`: key -> column index, and the header texts as the file has them."""

    index: dict[str, int]
    names: dict[str, str]
    unrecognised: list[str]
    ignored: list[str]
    # Every position of a repeatable column found more than once, in header order.
    repeated: dict[str, list[int]] = field(default_factory=dict)

    def name(self, key: str, default: str = "") -> str:
        return self.names.get(key, default)

    def positions(self, key: str) -> list[int]:
        """Where the column is: one position, several for a repeated column, none if absent."""
        if key in self.repeated:
            return self.repeated[key]
        return [self.index[key]] if key in self.index else []


def resolve_header(
    header: Sequence[str], *, columns: Sequence[Column], ignore: Iterable[str] = (), header_row: int = 1
) -> HeaderMap:
    """Map a header row onto column keys through their accepted names (any order, any case).

    Names in `ignore` are known but unused (e.g. `序号`, `分值`). Raises TabularFileError:
    - code "unrecognised_headers" when none of the columns is recognised, or a required one is
      missing while some header is unknown (likely a misspelling): the message names the
      columns found and the names accepted;
    - code "missing_columns" when every header is known but a required column is absent;
    - code "duplicate_columns" when two headers mean the same column (unless it is repeatable).
    """
    repeatable = {column.key for column in columns if column.repeatable}
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.key, *column.names):
            lookup.setdefault(normalize_header(name), column.key)
    ignored_names = {normalize_header(n) for n in ignore}

    index: dict[str, int] = {}
    names: dict[str, str] = {}
    unrecognised: list[str] = []
    ignored: list[str] = []
    repeated: dict[str, list[int]] = {}
    errors = ErrorList()
    for position, raw in enumerate(header):
        if not raw:
            continue
        normalized = normalize_header(raw)
        key = lookup.get(normalized)
        if key is None:
            (ignored if normalized in ignored_names else unrecognised).append(raw)
            continue
        if key in index and key in repeatable:
            repeated.setdefault(key, [index[key]]).append(position)
            continue
        if key in index:
            errors.add(
                row=header_row,
                column=raw,
                message=_("“%(this)s” and “%(other)s” are the same column; keep only one.")
                % {"this": raw, "other": names[key]},
            )
            continue
        index[key] = position
        names[key] = raw
    if errors:
        raise TabularFileError(
            _("The header row names a column twice."), code="duplicate_columns", errors=errors.items
        )

    found = ", ".join(f"“{h}”" for h in header if h) or _("none")
    accepted = "; ".join(
        f"{column.label or column.key}: " + " / ".join(dict.fromkeys((column.key, *column.names)))
        for column in columns
    )
    missing = [c for c in columns if c.required and c.key not in index]
    if not index or (missing and unrecognised):
        raise TabularFileError(
            _(
                "The column headers are not recognised. Columns found: %(found)s. Columns not recognised: "
                "%(unknown)s. Accepted names: %(accepted)s."
            )
            % {
                "found": found,
                "unknown": ", ".join(f"“{h}”" for h in unrecognised) or _("none"),
                "accepted": accepted,
            },
            code="unrecognised_headers",
            extra={"found": [h for h in header if h], "unrecognised": unrecognised},
        )
    if missing:
        missing_text = ", ".join(str(c.label or c.key) for c in missing)
        raise TabularFileError(
            _("Required column missing: %(missing)s. Columns found: %(found)s. Accepted names: %(accepted)s.")
            % {"missing": missing_text, "found": found, "accepted": accepted},
            code="missing_columns",
            errors=[
                {
                    "row": header_row,
                    "column": str(c.label or c.key),
                    "message": _("This required column is missing. Accepted names: %(names)s.")
                    % {"names": " / ".join(dict.fromkeys((c.key, *c.names)))},
                }
                for c in missing
            ],
            extra={"found": [h for h in header if h]},
        )
    return HeaderMap(index=index, names=names, unrecognised=unrecognised, ignored=ignored, repeated=repeated)
