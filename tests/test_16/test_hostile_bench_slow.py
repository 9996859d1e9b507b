"""bench/hostile/run.py at its smallest size, so the benchmark lesson 16 quotes cannot rot.

Only the shape of its output is checked, never a timing: the machine is shared.
"""

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.patience import COMMAND
from tests.helpers.once import once_per_run

pytestmark = pytest.mark.slow
REPO_DIR = Path(__file__).resolve().parents[2]
ATTACKS = ("sync-thread hog", "password guesser", "flooder", "slow reader")


@functools.cache
def bench_output() -> tuple[int, str, str]:
    """`bench/hostile/run.py --small`'s exit code, output and errors: run once for every test here, on
    any xdist worker (it starts its own Daphnes), a failed run kept too, so no test runs it again."""

    def run() -> tuple[int, str, str]:
        script = [sys.executable, "bench/hostile/run.py", "--small"]
        # Its Daphnes are forks of a warm interpreter (harness/servers.py's WarmDaphnes), as the tests' own are:
        # only the table's shape is checked here, and a fresh Daphne costs 1.4 CPU-seconds to start.
        env = {**os.environ, "WARM_DAPHNES": "1"}
        done = subprocess.run(script, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
        return done.returncode, done.stdout, done.stderr

    return once_per_run("hostile-small-run", run)


def small_run() -> str:
    """What the small run printed."""
    returncode, stdout, stderr = bench_output()
    assert returncode == 0, stderr[-3000:]
    return stdout


def test_the_small_run_prints_a_table_with_both_columns():
    header = small_run().splitlines()[0]
    assert "without the defence" in header and "with it" in header


@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_has_rows_in_the_table(attack):
    assert any(line.startswith(f"| {attack}") for line in small_run().splitlines())


def test_every_table_row_has_four_filled_cells():
    rows = [line for line in small_run().splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    assert len(rows) >= 10 and all(len(row) == 4 and all(row) for row in cells)
