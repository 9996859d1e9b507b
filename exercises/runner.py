"""Run one exercise's check in a pytest subprocess and boil the result down to what a student needs.

A subprocess, with a per-test timeout and an overall one, so that a starter
that hangs, never raises StopConsumer, crashes or does not even import gives
one clear sentence instead of a hung command or a wall of pytest output.
"""

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from exercises.registry import TARGET_VARIABLE, Exercise

REPO_DIR = Path(__file__).resolve().parent.parent
PER_TEST_TIMEOUT = 10  # seconds: a hanging consumer fails its test instead of the command
OVERALL_TIMEOUT = 90


@dataclass
class Outcome:
    passed: bool
    failed_check: str | None = None  # the test's name, a sentence
    message: str = ""  # what the check says went wrong
    traceback: str = ""  # the first lines of the student's own traceback, if their code raised


def run_check(exercise: Exercise, target: str = "starter") -> Outcome:
    """Run `exercise`'s check against the student's starter ("starter") or the solution ("solution")."""
    path = exercise.starter_path if target == "starter" else exercise.solution_path
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as error:
        where = f"{path.name}, line {error.lineno}: {(error.text or '').strip()}"
        return Outcome(False, None, f"your file does not compile: {error.msg}", where)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        env = {**os.environ, TARGET_VARIABLE: target, "INSPECTOR": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        # A test database of its own: a check may run while the course's tests use test_db.sqlite3.
        env["TEST_DATABASE_NAME"] = str(Path(tmp) / "test_db.sqlite3")
        argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", f"--timeout={PER_TEST_TIMEOUT}"]
        argv += [f"--junitxml={report}", "-o", "junit_family=xunit1", str(exercise.check_path)]
        try:
            done = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=OVERALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return Outcome(
                False, None, f"the check did not finish within {OVERALL_TIMEOUT} s: does your consumer hang?"
            )
        if done.returncode == 0:
            return Outcome(True)
        return first_failure(report, done.stdout + done.stderr, exercise)


def first_failure(report: Path, output: str, exercise: Exercise) -> Outcome:
    """The first failing test of a junit report, in a student's terms."""
    if not report.exists():
        return Outcome(False, None, "the check could not run: " + last_line(output))
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for problem in case:
            if problem.tag not in ("failure", "error"):
                continue
            text = problem.get("message") or ""
            detail = problem.text or ""
            name = case.get("name", "").removeprefix("test_").replace("_", " ")
            return Outcome(False, name, explain(text), own_traceback(detail, exercise))
    return Outcome(False, None, "the check failed: " + last_line(output))


def explain(message: str) -> str:
    """The assertion's own sentence, without pytest's `assert ... ==` rewriting underneath."""
    first = message.split("\n", 1)[0]
    for prefix in ("AssertionError: ", "Failed: "):
        first = first.removeprefix(prefix)
    if first.startswith("Timeout >"):  # pytest-timeout: the whole test hung
        return f"it hung for {PER_TEST_TIMEOUT} s: does every handler return, and does the consumer ever stop?"
    if first.startswith(("TimeoutError", "asyncio.exceptions.CancelledError")):
        return "the check waited for a frame (or an accept) from your consumer and got nothing within its wait"
    if first.startswith(("SyntaxError", "IndentationError", "ImportError", "ModuleNotFoundError", "NameError")):
        return f"your file does not import: {first}"
    return first


def own_traceback(detail: str, exercise: Exercise) -> str:
    """The lines of a failure's traceback that point into the student's own file (at most 6)."""
    lines = detail.splitlines()
    mine = []
    for number, line in enumerate(lines):
        if exercise.starter_path.name in line:
            # The file:line, and the error pytest printed right after it.
            mine += [line.strip(), *(following.strip() for following in lines[number + 1 : number + 2])]
    return "\n".join(mine[:6])


def last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


# Each student's own progress, never committed (.gitignore); EXERCISES_STATE moves it (the tests do).
STATE_PATH = Path(os.environ.get("EXERCISES_STATE") or REPO_DIR / ".exercises-state.json")


def load_state() -> dict:
    """Per exercise: "failing" or "passing" (the last check's result) and how many hints were shown."""
    try:
        return json.loads(STATE_PATH.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def save_state(state: dict) -> None:
    STATE_PATH.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
