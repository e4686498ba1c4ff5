"""Pure helpers of the benchmark: percentiles, merging generator results, lag matching, formatting.

Nothing here touches a process, a socket or Django, so tests/bench/ checks it directly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(latencies_ms: Sequence[float]) -> dict:
    """p50, p95, p99 and max of a list of latencies in milliseconds."""
    return {
        "count": len(latencies_ms),
        "p50": percentile(latencies_ms, 50),
        "p95": percentile(latencies_ms, 95),
        "p99": percentile(latencies_ms, 99),
        "max": max(latencies_ms) if latencies_ms else None,
    }


def merge_results(results: Iterable[dict]) -> dict:
    """Merge the JSON results of several generator processes of one phase.

    Latency lists are concatenated per label, error counters added, the window is the union,
    CPU seconds are summed.
    """
    merged: dict = {"latencies": {}, "errors": Counter(), "ok": Counter(), "cpu_seconds": 0.0, "extra": {}}
    starts, ends = [], []
    for result in results:
        for label, values in result.get("latencies", {}).items():
            merged["latencies"].setdefault(label, []).extend(values)
        merged["errors"].update(result.get("errors", {}))
        merged["ok"].update(result.get("ok", {}))
        merged["cpu_seconds"] += result.get("cpu_seconds", 0.0)
        if result.get("started") is not None:
            starts.append(result["started"])
        if result.get("ended") is not None:
            ends.append(result["ended"])
        for key, value in result.get("extra", {}).items():
            if isinstance(value, list):
                merged["extra"].setdefault(key, []).extend(value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                merged["extra"][key] = merged["extra"].get(key, 0) + value
            else:
                merged["extra"][key] = value
    merged["started"] = min(starts) if starts else None
    merged["ended"] = max(ends) if ends else None
    merged["errors"] = dict(merged["errors"])
    merged["ok"] = dict(merged["ok"])
    return merged


def window_seconds(result: dict) -> float:
    if result.get("started") is None or result.get("ended") is None:
        return 0.0
    return max(result["ended"] - result["started"], 1e-9)


def all_latencies(result: dict, labels: Iterable[str] | None = None) -> list[float]:
    chosen = result["latencies"].keys() if labels is None else labels
    values: list[float] = []
    for label in chosen:
        values.extend(result["latencies"].get(label, []))
    return values


def error_count(result: dict) -> int:
    return sum(result.get("errors", {}).values())


def update_lags(
    submissions: Sequence[tuple[float, float]], messages: Sequence[tuple[float, int]], base: int
) -> list[float]:
    """Seconds from each submission to the first dashboard message that counts it.

    `submissions`: (sent_at, completed_at) wall-clock times of the submissions of one phase, all
    successful. `messages`: (received_at, submitted_attempts_total) of ONE dashboard socket, in
    arrival order. `base`: the total the dashboard showed before the first submission.

    The i-th submission to complete (1-based) is taken as counted once a message shows a total
    of at least base + i; the lag runs from the moment it was sent (what the participant saw as
    "I pressed submit") to that message's arrival. A submission that no message ever counts is
    left out here and reported as missed by `missed_updates`.
    """
    by_completion = sorted(submissions, key=lambda item: item[1])
    lags = []
    cursor = 0
    for index, (sent_at, _completed_at) in enumerate(by_completion, start=1):
        needed = base + index
        while cursor < len(messages) and messages[cursor][1] < needed:
            cursor += 1
        if cursor == len(messages):
            break
        lags.append(max(messages[cursor][0] - sent_at, 0.0))
    return lags


def missed_updates(submission_count: int, messages: Sequence[tuple[float, int]], base: int) -> int:
    """How many of the phase's submissions the dashboard's last message did not count."""
    final = max((total for _t, total in messages), default=base)
    return max(submission_count - (final - base), 0)


def rate_in_window(timestamps: Iterable[float], start: float, end: float) -> float:
    """Events per second inside [start, end)."""
    if end <= start:
        return 0.0
    return sum(1 for t in timestamps if start <= t < end) / (end - start)


def parse_commandstats(info: dict) -> dict[str, int]:
    """{command: calls} from redis-py's INFO commandstats answer ({'cmdstat_get': {'calls': 3, ...}})."""
    calls = {}
    for key, value in info.items():
        name = key.removeprefix("cmdstat_")
        if isinstance(value, dict) and "calls" in value:
            calls[name] = int(value["calls"])
    return calls


def commandstats_delta(
    before: dict[str, int], after: dict[str, int], ignore: Iterable[str] = ()
) -> dict[str, int]:
    """Calls per command between two INFO commandstats readings, without the harness's own."""
    skipped = set(ignore)
    delta = {}
    for name, calls in after.items():
        if name in skipped:
            continue
        diff = calls - before.get(name, 0)
        if diff > 0:
            delta[name] = diff
    return dict(sorted(delta.items(), key=lambda item: -item[1]))


def fmt_num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 10:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def linear_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope dy/dx of (x, y) points; None with fewer than two distinct x."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var_x = sum((x - mean_x) ** 2 for x, _ in points)
    if var_x == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var_x
