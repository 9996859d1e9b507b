"""Test-suite speed: is each lesson's test file fast enough to run while teaching?

Each command runs in a fresh process, exactly as an instructor types it, so
the wall time includes Python and pytest start-up, Django set-up and
collection. Seconds depend on the machine and on what else runs on it, so every
command is measured against a bare `import django; django.setup()` process
(DJANGO_SETTINGS_MODULE=lessons.settings) timed in the same run, and the budgets
are ratios to it (bench/README.md): one lesson's tests without the `browser` and
`slow` markers within 3x that process plus 5 ms a test (start-up is paid once,
each test pays for its own work); the whole suite without them, on every core as
`make test-fast` runs it (pytest-xdist's `-n auto`), within the same rule for its
test count divided by its workers. The whole suite in one process is timed too,
for comparison, without a budget.

Each command also says where its seconds went (bench/speed/suite_phases.py, a plugin loaded into it): the
seconds its tests took, of those the tests that talk to a server, the test database, Redis or PostgreSQL
(round trips that are the tests' own work, said in the table rather than cut), and the rest (Python, pytest and Django start-up, collection, the
test database's set-up). And the CPU seconds it and its children used, over the baseline's: a figure a
busy machine moves far less than wall time.

Every command and the baseline run REPEATS times, the baseline just before each
of the command's runs (A/B/A/B), in rounds over all the commands, so load that
comes and goes on the machine falls on both; each figure is a median.
"""

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course.catalogue import LESSONS

REPO_DIR = Path(__file__).resolve().parents[2]
FAST = "not browser and not slow"
SETTINGS = "lessons.settings"
BASELINE = "import django; django.setup()"
START_UP_RATIO = 3.0  # a test command's start-up: at most this many bare django.setup() processes
PER_TEST_S = 0.005  # and each test it runs (on one worker: the count over the workers) its own 5 ms
REPEATS = 3  # runs of each command, each beside a run of the baseline; the figures are medians
TIMEOUT = 300  # seconds: a hung test must not hang the benchmark


def outcome(output: str) -> str:
    """pytest's closing summary, e.g. "12 passed in 0.41s", without the timing."""
    lines = [line.strip("= ") for line in output.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    return last.rsplit(" in ", 1)[0]


# As Python runs on a laptop: each module compiled once and its bytecode kept (__pycache__, and pytest's
# rewritten test modules beside it). A machine that sets PYTHONDONTWRITEBYTECODE, as some CI images do,
# would compile every course and test module again in every timed run (about 0.25 s of lesson 17's).
LAPTOP_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def children_cpu() -> float:
    """CPU seconds (user and system) of every child process this one has waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ARGV once in the repository, as on a laptop (LAPTOP_ENV unless `env`): its wall time, its CPU time
    (its own and its children's: pytest-xdist's workers too), and what it did."""
    started, cpu = time.perf_counter(), children_cpu()
    try:
        done = subprocess.run(
            argv, cwd=REPO_DIR, env=env or LAPTOP_ENV, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(argv, returncode=-1, stdout=f"timed out after {TIMEOUT} s", stderr="")
    return time.perf_counter() - started, children_cpu() - cpu, done


def baseline_once() -> tuple[float, float]:
    """One bare `python -c "import django; django.setup()"` with the course's settings: wall and CPU seconds."""
    wall, cpu, done = timed([sys.executable, "-c", BASELINE], env={**LAPTOP_ENV, "DJANGO_SETTINGS_MODULE": SETTINGS})
    if done.returncode != 0:
        raise RuntimeError(f"the baseline, {BASELINE!r}, failed:\n{done.stderr or done.stdout}")
    return wall, cpu


def phases(folder: Path) -> dict:
    """What bench/speed/suite_phases.py wrote in `folder`, summed over the processes (pytest-xdist's workers)."""
    figures = [json.loads(path.read_text()) for path in folder.glob("*.json")]
    keys = ("tests_s", "tests", "server_s", "server_tests")
    return {key: sum(figure[key] for figure in figures) for key in keys}


def tests_run(output: str) -> int:
    """How many tests pytest's closing line counts (passed, failed, skipped, errors...): 0 if none."""
    closing = outcome(output)
    ran = {"passed", "failed", "skipped", "error", "errors", "xfailed", "xpassed"}  # not "deselected", "subtests"
    return sum(int(n) for n, word in re.findall(r"(\d+) (\w+)", closing) if word in ran)


def workers(args: list[str]) -> int:
    """How many processes share the tests: pytest-xdist's -n auto is one per core."""
    if "-n" not in args:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def command(args: list[str]) -> str:
    return " ".join(["pytest", *args, "-m", f'"{FAST}"'])


def plan() -> list[dict]:
    """What to time: test-fast's command, the same in one process, then each lesson's fast test files."""
    jobs = [
        {"name": "whole suite", "args": ["-n", "auto"], "budgeted": True},
        {"name": "whole suite, one process", "args": [], "budgeted": False},
    ]
    jobs += [
        {"name": f"lesson {lesson.number}", "args": list(lesson.test_paths), "budgeted": True} for lesson in LESSONS
    ]
    return jobs


def measure(jobs: list[dict], repeats: int) -> list[dict]:
    """Each job's runs, each beside a baseline run: `repeats` rounds over all the jobs.

    A job that timed out is not run again: one timeout is answer enough.
    """
    samples = [{"walls": [], "cpus": [], "baselines": [], "baseline_cpus": [], "phases": [], "runs": []} for _ in jobs]
    for _ in range(repeats):
        for job, sample in zip(jobs, samples, strict=True):
            if sample["runs"] and sample["runs"][-1].returncode == -1:
                continue
            baseline_wall, baseline_cpu = baseline_once()
            sample["baselines"].append(baseline_wall)
            sample["baseline_cpus"].append(baseline_cpu)
            argv = [sys.executable, "-m", "pytest", *job["args"], "-m", FAST, "-q", "-p", "bench.speed.suite_phases"]
            with tempfile.TemporaryDirectory(prefix="suite-phases-") as folder:
                wall, cpu, done = timed(argv, env={**LAPTOP_ENV, "SUITE_PHASES": folder})
                sample["phases"].append(phases(Path(folder)))
            sample["walls"].append(wall)
            sample["cpus"].append(cpu)
            sample["runs"].append(done)
    return samples


def row(job: dict, sample: dict) -> dict:
    """One command's medians, its ratio to the baseline runs beside it, and its budget in the same units."""
    wall = statistics.median(sample["walls"])
    baseline = statistics.median(sample["baselines"])
    ratio = wall / baseline
    failed = [done for done in sample["runs"] if done.returncode != 0]
    shown = failed[0] if failed else sample["runs"][-1]  # a failing run's summary, else the last one's
    tests, shared_by = tests_run(shown.stdout), workers(job["args"])
    # 3x a bare django.setup() for the start-up, then 5 ms for each test a worker runs.
    budget_s = START_UP_RATIO * baseline + PER_TEST_S * tests / shared_by if job["budgeted"] else None
    cpu, baseline_cpu = statistics.median(sample["cpus"]), statistics.median(sample["baseline_cpus"])
    # Where a worker's seconds went (medians over the runs): its tests, of them those on a server, the rest.
    tests_s = statistics.median(figures["tests_s"] for figures in sample["phases"]) / shared_by
    server_s = statistics.median(figures["server_s"] for figures in sample["phases"]) / shared_by
    return {
        "name": job["name"],
        "command": command(job["args"]),
        "wall_s": round(wall, 2),
        "walls_s": [round(seconds, 2) for seconds in sample["walls"]],
        "baseline_s": round(baseline, 3),
        "ratio": round(ratio, 2),
        "tests": tests,
        "workers": shared_by,
        "budget_s": None if budget_s is None else round(budget_s, 2),
        # The budget as a ratio to this run's baseline, as the table shows it.
        "budget_ratio": None if budget_s is None else round(budget_s / baseline, 2),
        "within_budget": None if budget_s is None else wall <= budget_s,
        "tests_s": round(tests_s, 2),
        "server_s": round(server_s, 2),
        "server_tests": sample["phases"][-1]["server_tests"],
        "other_s": round(max(wall - tests_s, 0.0), 2),  # start-up, collection, the test database's set-up, the end
        "cpu_s": round(cpu, 2),
        "baseline_cpu_s": round(baseline_cpu, 3),
        "cpu_ratio": round(cpu / baseline_cpu, 2) if baseline_cpu else None,
        "exit_code": shown.returncode,
        "outcome": outcome(shown.stdout),
    }


def summary(rows: list[dict]) -> dict:
    lessons = [r for r in rows if r["name"].startswith("lesson")]
    whole = next(r for r in rows if r["name"] == "whole suite")
    return {
        "lessons": len(lessons),
        "lessons_within": sum(1 for r in lessons if r["within_budget"]),
        "lessons_over": [
            {"name": r["name"], "ratio": r["ratio"], "budget_ratio": r["budget_ratio"]}
            for r in lessons
            if not r["within_budget"]
        ],
        "test_fast_ratio": whole["ratio"],
        "test_fast_budget_ratio": whole["budget_ratio"],
        "test_fast_within": whole["within_budget"],
    }


def run(repeats: int = REPEATS) -> dict:
    """Every command against the bare django.setup() baseline, in one run; ratios and budgets."""
    jobs = plan()
    samples = measure(jobs, repeats)
    rows = [row(job, sample) for job, sample in zip(jobs, samples, strict=True)]
    every_baseline = [seconds for sample in samples for seconds in sample["baselines"]]
    return {
        "marker": FAST,
        "repeats": repeats,
        "baseline": {
            "command": f'DJANGO_SETTINGS_MODULE={SETTINGS} python -c "{BASELINE}"',
            "wall_s": round(statistics.median(every_baseline), 3),
            "min_s": round(min(every_baseline), 3),
            "max_s": round(max(every_baseline), 3),
            "runs": len(every_baseline),
            "cpu_s": round(statistics.median(cpu for sample in samples for cpu in sample["baseline_cpus"]), 3),
        },
        "budgets": {"start_up_ratio": START_UP_RATIO, "per_test_ms": PER_TEST_S * 1000},
        "summary": summary(rows),
        "rows": rows,
    }
