"""bench/speed/workshop.py with a tiny class against real Daphnes, so the rows lesson 17 quotes cannot rot.

Five students checking every second, two of them watching, for 2 s, on the
one-Daphne room and on two Daphnes sharing Redis and PostgreSQL, and one run
of the exercise hook reporting to a room that never answers. What must hold is
checked (every report reached the instructor's page, by its {"student": ...} or,
on Redis, by the 5 s refresh when the layer lost that; the figures are in order
and carry their budgets), never how fast: the machine is shared. About 25 s.
"""

import functools
import os
import uuid

import psycopg
import pytest

from bench.common import report
from bench.speed import workshop
from harness.servers import delete_prefixed_keys
from tests.helpers.once import once_per_run

pytestmark = pytest.mark.slow
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
TINY = workshop.Load(students=5, watching=2, every=1.0, warmup=0.5, window=2.0, heartbeat=1.0, cost_runs=1)
SETUPS = (workshop.SETUPS[0], workshop.SETUPS[-1])  # the room as shipped, and the one that crosses Redis


def bench_databases() -> set[str]:
    """The PostgreSQL databases a workshop bench made and has not dropped (yet)."""
    with psycopg.connect(workshop.POSTGRES_SERVER_URL, connect_timeout=3) as server:
        rows = server.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench_workshop_%'").fetchall()
    return {name for (name,) in rows}


@functools.cache
def tiny_run() -> tuple[dict, set[str]]:
    """The section's results, run once per test run for every test here, and the bench databases left after it."""
    return once_per_run("workshop-bench", run_tiny)


def run_tiny() -> tuple[dict, set[str]]:
    prefix = f"test-bench-{uuid.uuid4().hex[:8]}"
    before = bench_databases()
    try:
        results = workshop.run(REDIS_URL, None, prefix, load=TINY, setups=SETUPS)
    finally:
        delete_prefixed_keys(REDIS_URL, prefix)
    return results, bench_databases() - before


def rows() -> list[dict]:
    return tiny_run()[0]["rows"]


def test_both_setups_were_measured():
    assert [(row["setup"], row["status"]) for row in rows()] == [(setup.name, "ok") for setup in SETUPS]


def test_every_report_reached_the_instructors_page_and_none_failed():
    for row in rows():
        # Every student reports about window / every times; the phases decide which fall inside it.
        assert row["reports"] >= TINY.students * (TINY.window / TINY.every - 1), row
        assert (row["reached"], row["failed"]) == (row["reports"], 0), row


def test_only_the_redis_row_may_need_the_refresh_to_show_a_report():
    # The in-memory layer loses nothing; Redis core may lose a {"student": ...} (django/channels#1683).
    for row in rows():
        assert 0 <= row["by_refresh"] <= (row["reports"] if row["layer"] == "core" else 0), row


def test_the_delays_are_in_order_and_well_inside_the_drain():
    for row in rows():
        assert 0 < row["delay_p50_ms"] <= row["delay_p99_ms"] <= row["delay_max_ms"] < workshop.DRAIN * 1000, row
        assert 0 < row["report_p50_ms"] <= row["report_p99_ms"], row


def test_each_row_counts_its_reports_over_the_pages_budget():
    for row in rows():
        assert row["delay_budget_ms"] == 2000 and 0 <= row["over_page_budget"] <= row["reports"], row


def test_a_report_to_a_room_that_never_answers_is_timed_against_its_budget():
    cost = tiny_run()[0]["report_cost"]
    assert (cost["status"], cost["runs"], cost["budget_ms"], cost["client_budget_ms"]) == ("ok", 1, 1000, 800)
    assert cost["hung_room_max_ms"] > 0 and cost["over_budget"] in (0, 1), cost


def test_the_servers_cpu_is_counted_and_at_most_a_core_per_process():
    for row in rows():
        assert 0 < row["server_cpu_percent"] <= 105 * row["processes"], row
        assert row["server_cpu_ms_per_report"] > 0, row


def test_only_the_postgresql_row_counts_the_databases_cpu():
    assert [row["database_cpu_percent"] is not None for row in rows()] == [False, True]


def test_the_table_renders_each_row_and_says_how_big_the_class_was():
    text = report.section("workshop", tiny_run()[0])
    assert all(f"| {setup.name} " in text for setup in SETUPS)
    assert "5 students, each running a check every 1 s" in text


def test_the_run_drops_the_postgresql_database_it_made():
    assert tiny_run()[1] == set()
