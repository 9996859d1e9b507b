"""Test-suite speed: is each lesson's test file fast enough to run while teaching?

Each command runs in a fresh process, exactly as an instructor types it, so
the wall time includes Python and pytest start-up, Django set-up and
collection. Budgets (bench/README.md, on 2 cores): one lesson's tests without the
`browser` and `slow` markers under 2 s; the whole suite without them under 10 s,
on every core as `make test-fast` runs it (pytest-xdist's `-n auto`). The whole
suite in one process is timed too, for comparison, without a budget.
"""

import subprocess
import sys
import time
from pathlib import Path

from course.catalogue import LESSONS

REPO_DIR = Path(__file__).resolve().parent.parent
FAST = "not browser and not slow"
LESSON_BUDGET = 2.0
SUITE_BUDGET = 10.0
TIMEOUT = 300  # seconds: a hung test must not hang the benchmark


def outcome(output: str) -> str:
    """pytest's closing summary, e.g. "12 passed in 0.41s", without the timing."""
    lines = [line.strip("= ") for line in output.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    return last.rsplit(" in ", 1)[0]


def time_pytest(name: str, args: list[str], budget: float | None) -> dict:
    """Run `python -m pytest ARGS -m FAST -q` once; its wall time, result and budget (None: none)."""
    argv = [sys.executable, "-m", "pytest", *args, "-m", FAST, "-q"]
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=REPO_DIR, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(argv, returncode=-1, stdout=f"timed out after {TIMEOUT} s")
    wall = time.perf_counter() - started
    return {
        "name": name,
        "command": " ".join(["pytest", *args, "-m", f'"{FAST}"']),
        "wall_s": round(wall, 2),
        "budget_s": budget,
        "within_budget": None if budget is None else wall < budget,
        "exit_code": done.returncode,
        "outcome": outcome(done.stdout),
    }


def run() -> dict:
    """The whole fast suite (every core, then one process), then each lesson's tests."""
    rows = [
        time_pytest("whole suite", ["-n", "auto"], SUITE_BUDGET),
        time_pytest("whole suite, one process", [], None),
    ]
    rows += [time_pytest(f"lesson {lesson.number}", list(lesson.test_paths), LESSON_BUDGET) for lesson in LESSONS]
    return {"marker": FAST, "rows": rows}
