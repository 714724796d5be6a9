"""The benchmark runner's own logic (benchmarks/run.py): its statistics and what it writes.
Timings are never asserted in tests."""

import pytest

from benchmarks.run import (
    ANALYSIS_MARKER,
    Row,
    markdown_table,
    percentile,
    performance_markdown,
    text_table,
)


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [5, 1, 4, 2, 3]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_percentile_of_one_value_is_that_value():
    assert percentile([7.0], 95) == 7.0


@pytest.mark.parametrize(("values", "p"), [([], 50), ([1, 2], 101), ([1, 2], -1)])
def test_percentile_refuses_no_values_or_a_p_outside_0_to_100(values, p):
    with pytest.raises(ValueError):
        percentile(values, p)


def test_row_verdict_says_met_missed_or_no_goal():
    assert Row("1", "x", "1 ms", "< 2 ms", True).verdict == "met"
    assert Row("1", "x", "3 ms", "< 2 ms", False).verdict == "missed"
    assert Row("1", "x", "3 ms").verdict == "–"


def test_markdown_table_has_a_line_per_row_and_escapes_pipes():
    table = markdown_table(
        [Row("1", "queries, 6 | 60", "14 / 14", "the same", True), Row("2", "page", "50 ms")]
    )
    lines = table.splitlines()
    assert lines[0] == "| # | measured | figure | goal | result |"
    assert lines[2] == "| 1 | queries, 6 \\| 60 | 14 / 14 | the same | met |"
    assert lines[3] == "| 2 | page | 50 ms |  | – |"


def test_text_table_aligns_columns():
    lines = text_table([Row("1", "short", "1 ms", "g", True), Row("10", "longer one", "2 ms")])
    lines = lines.splitlines()
    assert lines[1].index("1 ms") == lines[2].index("2 ms") == lines[0].index("figure")


def test_performance_file_has_table_machine_versions_and_command():
    text = performance_markdown(
        rows=[Row("5", "demo PDF", "571 KB", "< 600 KB", True)],
        machine={"CPU": "Example CPU", "load average at start (1, 5, 15 min)": "0.10, 0.20, 0.30"},
        versions={"WeasyPrint": "70.0"},
        command="./scripts/bench --skip-load",
        notes=["Database holds 500 bulk groups."],
        method="1. how",
    )
    assert "| 5 | demo PDF | 571 KB | < 600 KB | met |" in text
    assert "- CPU: Example CPU" in text
    assert "- load average at start (1, 5, 15 min): 0.10, 0.20, 0.30" in text
    assert "- WeasyPrint: 70.0" in text
    assert "```\n./scripts/bench --skip-load\n```" in text
    assert "- Database holds 500 bulk groups." in text


def test_rewriting_the_file_keeps_the_hand_written_analysis_and_replaces_the_figures():
    def write(figure, previous=None):
        return performance_markdown(
            rows=[Row("4", "stored PDF", figure, "< 50 ms", True)],
            machine={},
            versions={},
            command="./scripts/bench",
            notes=[],
            method="",
            previous=previous,
        )

    first = write("40 ms")
    assert first.rstrip().endswith(ANALYSIS_MARKER)
    edited = first + "\n## Where the time goes\n\nThe figures' queries.\n"
    second = write("45 ms", previous=edited)
    assert "| 45 ms |" in second and "| 40 ms |" not in second
    kept = "\n\n## Where the time goes\n\nThe figures' queries.\n"
    assert second.endswith(ANALYSIS_MARKER + kept)


def test_busy_cpu_seconds_leaves_out_idle_and_iowait():
    from collections import namedtuple

    from benchmarks.run import _busy_cpu_seconds

    Times = namedtuple("Times", "user nice system idle iowait irq softirq steal guest")
    assert _busy_cpu_seconds(Times(10, 1, 4, 100, 7, 0.5, 0.5, 0, 3)) == 16
