"""Micro-benchmarks behind BENCHMARKS.md's proposals, timed in-process on the scratch database.

Run by bench/run.py (after the SQL census) with the servers' environment. Each case runs inside a
transaction that is rolled back, so nothing changes. Prints JSON {case: {"ms": wall mean, "cpu_ms": CPU mean, "runs": n}}.

- scoring an attempt's 10 items: Django's `bulk_update` (what quiz.services.finalising.finalize_locked_attempt
  did) against the one statement it runs on PostgreSQL (items, attempt, Participation row, outbox row);
- DRF's token lookup (one SELECT joining the user) against a process-local cache hit.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from quiz.models import Attempt, AttemptItem  # noqa: E402
from quiz.services.finalising import _store_scored_attempt  # noqa: E402

FIELDS = ["selected", "answered_at", "is_correct", "points"]


def _timed(function, runs: int) -> dict:
    """Mean wall milliseconds per call (database round trips included) and this process's CPU
    milliseconds per call (the Python side alone, what a busy machine inflates least)."""
    function()  # warm: caches, prepared plans
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(runs):
        function()
    return {
        "ms": (time.perf_counter() - wall) * 1000 / runs,
        "cpu_ms": (time.process_time() - cpu) * 1000 / runs,
        "runs": runs,
    }


class _Rollback(Exception):
    pass


def scoring_statement(attempt: Attempt, items: list[AttemptItem]) -> None:
    """The statement finalize_locked_attempt runs on PostgreSQL (quiz.services.finalising)."""
    _store_scored_attempt(attempt=attempt, items=items, item_versions=None)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    out: dict = {}
    attempt_id = AttemptItem.objects.order_by("-attempt_id").values_list("attempt_id", flat=True).first()
    if attempt_id is not None:
        items = list(AttemptItem.objects.filter(attempt_id=attempt_id).order_by("position"))
        attempt = Attempt.objects.get(pk=attempt_id)
        now = timezone.now()
        attempt.status, attempt.submitted_at, attempt.duration_seconds = Attempt.Status.SUBMITTED, now, 60
        attempt.correct_count, attempt.score = len(items), 10 * len(items)
        for item in items:
            item.selected, item.answered_at, item.is_correct, item.points = ["A"], now, True, 10
        try:
            with transaction.atomic():
                out[f"bulk_update of one attempt's {len(items)} items (Django)"] = _timed(
                    lambda: AttemptItem.objects.bulk_update(items, FIELDS), runs
                )
                out["the scoring statement (the same items, attempt, participation, outbox)"] = _timed(
                    lambda: scoring_statement(attempt, items), runs
                )
                raise _Rollback
        except _Rollback:
            pass
    key = Token.objects.values_list("key", flat=True).first()
    if key:
        cache: dict = {}
        out["token lookup, SELECT token JOIN user (DRF)"] = _timed(
            lambda: Token.objects.select_related("user").get(key=key).user, runs
        )
        cache[key] = Token.objects.select_related("user").get(key=key).user
        out["token lookup, process-local cache hit"] = _timed(lambda: cache.get(key), runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
