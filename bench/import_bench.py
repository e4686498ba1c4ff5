"""Time the question-bank import of 10,000 generated rows on the configured database.

    .venv/bin/python bench/import_bench.py                       # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quiz_banks .venv/bin/python bench/import_bench.py

Creates a throwaway test database (test_<name>), runs `bank_import` on .xlsx and .csv files:
a first import (10,000 created), the same file again (10,000 unchanged), a dry run, and a file
with every explanation changed (10,000 updated); prints the seconds of each, then drops the
database.
"""

import csv
import io
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分类", "难度"]
TYPES = [("单选", "B"), ("多选", "ACD"), ("判断", "正确")]


def generate(rows: int, explanation: str) -> list[list[str]]:
    data = [HEADER]
    for i in range(rows):
        kind, answer = TYPES[i % 3]
        options = [] if kind == "判断" else [f"选项甲{i}", f"选项乙{i}", f"选项丙{i}", f"选项丁{i}"]
        options += [""] * (4 - len(options))
        data.append(
            [
                kind,
                f"{i + 1}. 第 {i} 道安全知识题：遇到这种情况应当怎么做？",
                *options,
                answer,
                f"{explanation} {i}",
                f"分类{i % 12}",
                str(i % 5 + 1),
            ]
        )
    return data


def as_xlsx(data: list[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(data: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(data)
    return buffer.getvalue().encode("utf-8-sig")


def timed(label: str, func) -> object:
    # Wall time, and this process's CPU time (less sensitive to a busy machine; the database
    # server's own work shows only in the wall time on PostgreSQL).
    start, cpu = time.perf_counter(), time.process_time()
    result = func()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<30} {wall:6.2f} s wall {cpu:6.2f} s cpu   {summary(result)}")
    return result


def summary(result) -> str:
    return f"created={result.created} updated={result.updated} unchanged={result.unchanged}"


def main() -> None:
    from quiz.services.banks import bank_create, bank_import

    vendor = connection.vendor
    if vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = tempfile.mktemp(suffix=".sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"{ROWS} rows on {vendor} ({connection.settings_dict['NAME']})")
        for fmt, build in (("xlsx", as_xlsx), ("csv", as_csv)):
            first, changed = build(generate(ROWS, "解析")), build(generate(ROWS, "新的解析"))
            print(f"{fmt}: {len(first) / 1024 / 1024:.1f} MB")
            bank = bank_create(name=f"bench-{fmt}")
            name = f"bench.{fmt}"
            for label, content, dry_run in (
                ("first import (all created)", first, False),
                ("same file again (unchanged)", first, False),
                ("dry run of a changed file", changed, True),
                ("changed file (all updated)", changed, False),
            ):
                timed(label, partial(bank_import, bank=bank, file=content, filename=name, dry_run=dry_run))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
