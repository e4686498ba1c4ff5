"""Question-bank import: reading a .xlsx/.csv sheet into validated questions.

`parse_bank_file` is the entry point; `quiz.services.banks.bank_import` writes what it returns.
Column names live in `columns`, single-cell readers in `values`, row validation in `parser`.
"""

from typing import IO

from core.tabular import read_table
from quiz.importing.parser import ParsedBank, ParsedQuestion, looks_like_header, parse_bank_table

__all__ = ["ParsedBank", "ParsedQuestion", "parse_bank_file", "parse_bank_table"]


def parse_bank_file(*, file: IO[bytes] | bytes, filename: str) -> ParsedBank:
    """Read and validate an uploaded question-bank file (TabularFileError for a bad file)."""
    table = read_table(file=file, filename=filename, is_header=looks_like_header)
    return parse_bank_table(table)
