"""The benchmark harness's own logic: statistics, lag matching, profile summaries, report, topology files."""

import pytest

from bench import pyspy
from bench.loadgen import _check_loopback, _tokens, answers_for, attempts_of
from bench.report import BEGIN, END, write
from bench.stats import (
    commandstats_delta,
    linear_slope,
    merge_results,
    missed_updates,
    parse_commandstats,
    percentile,
    rate_in_window,
    update_lags,
)


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4, 5], 99) == pytest.approx(4.96)
    assert percentile([7], 99) == 7


def test_percentile_of_nothing_is_none():
    assert percentile([], 50) is None


def test_merge_results_concatenates_latencies_and_adds_counters_and_cpu():
    a = {
        "latencies": {"start": [1.0], "submit": [2.0]},
        "errors": {"start:500": 1},
        "ok": {"start": 1},
        "cpu_seconds": 0.5,
        "started": 10.0,
        "ended": 20.0,
        "extra": {"submissions": [[1, 2]], "finished": 3},
    }
    b = {
        "latencies": {"start": [3.0]},
        "errors": {"start:500": 2, "submit:timeout": 1},
        "ok": {"start": 1},
        "cpu_seconds": 0.25,
        "started": 9.0,
        "ended": 21.0,
        "extra": {"submissions": [[3, 4]], "finished": 4},
    }

    merged = merge_results([a, b])

    assert merged["latencies"] == {"start": [1.0, 3.0], "submit": [2.0]}
    assert merged["errors"] == {"start:500": 3, "submit:timeout": 1}
    assert merged["ok"] == {"start": 2}
    assert merged["cpu_seconds"] == 0.75
    assert (merged["started"], merged["ended"]) == (9.0, 21.0)
    assert merged["extra"] == {"submissions": [[1, 2], [3, 4]], "finished": 7}


def test_update_lag_runs_from_sending_to_the_first_message_that_counts_the_submission():
    # Two submissions sent at 10.0 and 10.2, completed in that order; the dashboard showed 5 before.
    submissions = [(10.0, 10.05), (10.2, 10.25)]
    messages = [(10.6, 6), (11.6, 7)]

    assert update_lags(submissions, messages, base=5) == pytest.approx([0.6, 1.4])


def test_update_lag_follows_completion_order_and_one_message_can_count_several():
    submissions = [(10.3, 10.4), (10.0, 10.1)]  # the second one sent completed first
    messages = [(11.0, 7)]

    assert update_lags(submissions, messages, base=5) == pytest.approx([1.0, 0.7])


def test_a_submission_no_message_counts_has_no_lag_and_is_reported_missed():
    submissions = [(1.0, 1.1), (2.0, 2.1), (3.0, 3.1)]
    messages = [(1.5, 11)]

    assert update_lags(submissions, messages, base=10) == pytest.approx([0.5])
    assert missed_updates(3, messages, base=10) == 2


def test_rate_in_window_counts_events_per_second_inside_it():
    assert rate_in_window([0.5, 1.0, 1.5, 2.5, 3.0], start=1.0, end=3.0) == 1.5  # 1.0, 1.5 and 2.5


def test_commandstats_delta_keeps_growth_only_and_drops_the_harness_commands():
    before = parse_commandstats({"cmdstat_get": {"calls": 10}, "cmdstat_info": {"calls": 3}})
    after = parse_commandstats(
        {
            "cmdstat_get": {"calls": 15},
            "cmdstat_info": {"calls": 9},
            "cmdstat_evalsha": {"calls": 2},
            "cmdstat_set": {"calls": 0},
        }
    )

    assert commandstats_delta(before, after, ignore={"info"}) == {"get": 5, "evalsha": 2}


def test_linear_slope_is_zero_for_flat_memory_and_positive_for_a_leak():
    assert linear_slope([(0, 100.0), (10, 100.0), (20, 100.0)]) == 0
    assert linear_slope([(0, 100.0), (10, 101.0), (20, 102.0)]) == pytest.approx(0.1)
    assert linear_slope([(5, 1.0)]) is None


def test_profile_attributes_self_time_to_the_innermost_frames_package():
    stacks = pyspy.parse_collapsed(
        [
            "run (threading.py:1);post (quiz/apis/competitions.py:10);execute (psycopg/cursor.py:5) 3",
            "run (threading.py:1);post (quiz/apis/competitions.py:10);get (django/db/models/query.py:7) 1",
        ]
    )

    packages = {name: samples for name, samples, _share in pyspy.by_package(stacks)}

    assert packages == {"PostgreSQL driver (psycopg)": 3, "Django ORM": 1}


def test_profile_inclusive_counts_a_recursive_function_once_per_stack():
    stacks = pyspy.parse_collapsed(["f (quiz/a.py:1);f (quiz/a.py:2);g (quiz/b.py:3) 4", "g (quiz/b.py:3) 1"])

    counts = {label: samples for label, samples, _share in pyspy.inclusive(stacks)}

    assert counts == {"f (quiz/a.py)": 4, "g (quiz/b.py)": 5}


def test_attempts_of_reads_the_total_or_sums_the_regions():
    assert attempts_of({"type": "stats", "attempts": 12}) == 12
    assert attempts_of({"type": "stats", "data": {"attempts": 4}}) == 4
    assert attempts_of({"type": "stats", "regions": [{"attempts": 2}, {"attempts": 3}]}) == 5
    assert attempts_of({"type": "paused"}) is None


def test_answers_pick_one_key_and_two_for_a_multiple_choice():
    questions = [
        {"id": 1, "type": "single", "options": [{"key": "A"}, {"key": "B"}]},
        {"id": 2, "type": "multiple", "options": [{"key": "A"}, {"key": "B"}, {"key": "C"}]},
        {"id": 3, "type": "judge", "options": [{"key": "A"}, {"key": "B"}]},
    ]

    assert answers_for(questions) == [
        {"question": 1, "selected": ["A"]},
        {"question": 2, "selected": ["A", "B"]},
        {"question": 3, "selected": ["A"]},
    ]


def test_a_generator_reads_with_the_tokens_from_its_offset_and_at_most_token_count(tmp_path):
    """The ranking rows read with a fixed set of warmed readers (bench/phases.py, READERS)."""
    import json

    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"participants": ["t0", "t1", "t2", "t3", "t4"], "admins": ["a0"]}))
    spec = {"token_file": str(path), "token_offset": 3}
    assert _tokens(spec) == ["t3", "t4", "t0", "t1", "t2"]
    assert _tokens({**spec, "token_count": 2}) == ["t3", "t4"]
    assert _tokens({**spec, "token_offset": 7, "token_count": 4}) == ["t2", "t3", "t4", "t0"]
    assert _tokens({"token_file": str(path), "token_key": "admins"}) == ["a0"]


def test_the_generator_refuses_any_host_but_loopback():
    _check_loopback("http://127.0.0.1:8090")
    with pytest.raises(SystemExit):
        _check_loopback("http://10.0.0.5:8090")


def test_writing_the_report_replaces_only_the_generated_section(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"# Benchmarks\n\nanalysis above\n\n{BEGIN}\nold figures\n{END}\n\nanalysis below\n")

    write(path, f"{BEGIN}\nnew figures\n{END}")

    text = path.read_text()
    assert "new figures" in text and "old figures" not in text
    assert text.startswith("# Benchmarks\n\nanalysis above") and text.rstrip().endswith("analysis below")


def test_a_named_section_is_replaced_without_touching_the_main_one(tmp_path):
    from bench.report import markers

    path = tmp_path / "BENCHMARKS.md"
    long_begin, long_end = markers("long")
    path.write_text(f"{BEGIN}\nmain figures\n{END}\n\n{long_begin}\nold long\n{long_end}\n")

    write(path, f"{long_begin}\nnew long\n{long_end}", section="long")

    text = path.read_text()
    assert "main figures" in text and "new long" in text and "old long" not in text


def test_the_hosts_table_gives_the_ratio_to_one_host_and_where_postgresql_saturates():
    from bench.report import scale_section

    def row(hosts, rps):
        return {
            "hosts": hosts,
            "rps": rps,
            "cps": rps / 2,
            "p50": 100.0,
            "p99": 300.0,
            "errors": 0,
            "per_host": [0.4] * hosts,
            "throttled": [0.5] * hosts,
            "pg_throttled": None,
            "cores": {"postgres": 0.1 * hosts, "redis": 0.01, "nginx": 0.02},
            "gen": 0.05,
            "cpu_ms": {"servers": 10.0, "postgres": 2.5, "redis": 0.2, "nginx": 0.1},
        }

    text = "\n".join(
        scale_section(
            {
                "rows": [row(1, 40.0), row(2, 80.0)],
                "host_cpu": 0.4,
                "pg_cpu": 0.5,
                "redis_cpu": None,
                "processes": 1,
            }
        )
    )

    assert "| 2 | 80 | 40.0 | 2.00× |" in text
    assert "one host at 0.4 cores ≈ 40 req/s" in text
    assert "PostgreSQL at 0.5 cores ≈ 200 req/s (100 submissions/s)" in text
