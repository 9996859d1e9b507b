"""Lesson 17's benchmark rows as bench/common/report.py renders them from the committed run (bench/speed/reference.json).

No server and no timing: the run itself is bench/speed/workshop.py, and
tests/test_17/test_bench_slow.py runs it small against real Daphnes.
"""

import json
from pathlib import Path

from bench.common import report
from bench.speed.workshop import SETUPS, Report, Room, summary

REPO_DIR = Path(__file__).resolve().parents[2]
REFERENCE = json.loads((REPO_DIR / "bench/speed/reference.json").read_text(encoding="utf-8"))
SECTION = REFERENCE["workshop"]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of the first Markdown table in `text`, its header row first."""
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_reference_run_has_one_measured_row_per_setup():
    assert [row["setup"] for row in SECTION["rows"]] == [setup.name for setup in SETUPS]
    assert all(row["status"] == "ok" for row in SECTION["rows"])


def test_each_reference_row_has_its_p50_at_most_its_p99():
    for row in SECTION["rows"]:
        assert 0 < row["delay_p50_ms"] <= row["delay_p99_ms"] <= row["delay_max_ms"], row["setup"]
        assert 0 < row["report_p50_ms"] <= row["report_p99_ms"], row["setup"]


def test_each_reference_row_counts_what_reached_the_page_among_its_reports():
    for row in SECTION["rows"]:
        assert 0 < row["reached"] <= row["reports"] and row["server_cpu_ms_per_report"] > 0, row["setup"]


def test_the_table_shows_each_setups_delays_and_cpu_in_its_own_line():
    rows = table_rows(report.section("workshop", SECTION))
    header, lines = rows[0], {cells[0]: dict(zip(rows[0], cells, strict=True)) for cells in rows[1:]}
    assert header[:2] == ["setup", "layer"] and len(lines) == len(SETUPS)
    for row in SECTION["rows"]:
        line = lines[row["setup"]]
        assert (line["delay p50 ms"], line["delay p99 ms"]) == (str(row["delay_p50_ms"]), str(row["delay_p99_ms"]))
        assert line["server CPU % of a core"] == str(row["server_cpu_percent"])
        assert line["reached the page"].startswith(f"{row['reached']} of {row['reports']}")


def test_a_setup_without_redis_shows_why_in_place_of_its_figures():
    missing = "skipped: no Redis answers at redis://127.0.0.1:1/0 (refused); start one or set REDIS_URL"
    rows = [SECTION["rows"][0], {**SECTION["rows"][-1], "status": missing}]
    lines = table_rows(report.workshop({**SECTION, "rows": rows}))
    assert lines[2][:4] == ["2 Daphnes on Redis", "Redis core", "postgres", missing]


def test_sqlite_rows_leave_the_postgresql_cpu_column_empty():
    lines = table_rows(report.section("workshop", SECTION))
    by_setup = {cells[0]: cells for cells in lines[1:]}
    for row in SECTION["rows"]:
        assert (by_setup[row["setup"]][-1] == "—") == (row["database"] == "sqlite")


def test_the_committed_document_holds_the_table_as_report_renders_it():
    assert report.section("workshop", SECTION) in (REPO_DIR / "bench/speed/reference.md").read_text(encoding="utf-8")


def test_the_benchmark_readme_explains_every_column_of_the_table():
    readme = (REPO_DIR / "bench/README.md").read_text(encoding="utf-8")
    explained = readme.split("**6. The workshop room under a class**", 1)[1].split("\n## ", 1)[0]
    named = {column for cells in table_rows(explained)[1:] for column in cells[0].split(", ")}
    assert set(table_rows(report.workshop(SECTION))[0]) <= named


def test_lesson_17s_notes_quote_each_rows_delays_and_cpu_as_committed():
    notes = (REPO_DIR / "NOTES.md").read_text(encoding="utf-8")
    lesson = notes.split("## Going further: lesson 17", 1)[1].split("\n## ", 1)[0]  # the lesson points there
    for row in SECTION["rows"]:
        assert f"| {row['delay_p50_ms']} / {row['delay_p99_ms']} ms | {row['server_cpu_percent']} %" in lesson, row
        if row["database_cpu_percent"] is not None:
            both = " for both" if row["processes"] > 1 else ""
            expected = f"{row['server_cpu_percent']} %{both}, and PostgreSQL {row['database_cpu_percent']} %"
            assert expected in lesson, row


def pending_report(room: Room, name: str = "ada", exercise: str = "01.1", check: str = "test_step_1") -> Report:
    report = Report(name, started=1.0, in_window=True)
    room.expect(report, exercise, check)
    return report


def shown(name: str, exercise: str, check: str) -> dict:
    return {"name": name, "exercises": {exercise: {"status": "failing", "check": check}}}


def test_a_report_whose_student_frame_arrives_is_reached_by_it():
    room = Room()
    report = pending_report(room)
    room.take(json.dumps({"student": shown("ada", "01.1", "test_step_1")}), now=1.25)
    assert (report.reached, report.by_refresh, room.pending) == (1.25, False, {})


def test_a_report_the_layer_lost_is_reached_by_the_next_refresh_and_counted_apart():
    room = Room()
    lost, other = pending_report(room), pending_report(room, name="bob")
    for entry in (shown("ada", "01.1", "test_step_1"), shown("bob", "01.1", "x")):
        room.take(json.dumps({"student": entry, "refresh": True}), now=6.0)
    assert (lost.reached, lost.by_refresh, room.room_frames) == (6.0, True, 2)
    assert other.reached is None and list(room.pending) == [("bob", "01.1", "test_step_1")]
    row = summary([lost, other], cpu=1.0, database=None, window=2.0, room_frames=1)
    assert (row["reached"], row["by_refresh"], row["over_page_budget"]) == (1, 1, 2)


def test_a_row_with_reports_shown_by_the_refresh_says_so_in_its_reached_cell():
    row = {**SECTION["rows"][-1], "by_refresh": 1}
    lines = table_rows(report.workshop({**SECTION, "rows": [row]}))
    assert lines[1][4] == f"{row['reached']} of {row['reports']} (1 by the 5 s refresh)"
