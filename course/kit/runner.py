"""Run one exercise's check in a pytest subprocess and boil the result down to what a student needs.

A subprocess, with a per-test timeout and an overall one, so that a starter
that hangs, never raises StopConsumer, crashes or does not even import gives
one clear sentence instead of a hung command or a wall of pytest output.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from course.kit.registry import TARGET_VARIABLE, Exercise
from exercises.targets import PROOF_VARIABLE, REPO_DIR
from harness.patience import COMMAND, FRAME

# Seconds: a hanging consumer fails its test instead of the command. Longer than a check waits for what
# must come (FRAME, scaled by COURSE_PATIENCE), so a consumer that never answers gets the check's sentence.
PER_TEST_TIMEOUT = round(FRAME * 3)
OVERALL_TIMEOUT = round(COMMAND)  # a whole pytest run of one check
# Many check.py files, one name: pytest imports each by its path (exercises.04_2_presence.check).
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--import-mode=importlib"]
# A failure's whole message, kept in the junit report by this plugin: failure_message reads it.
PYTEST += ["-p", "course.kit.whole_message"]
WHOLE_MESSAGE = "whole message"  # the name of its property of a failing test case


@dataclass
class Outcome:
    passed: bool
    failed_check: str | None = None  # the test's name, a sentence
    message: str = ""  # what the check says went wrong
    traceback: str = ""  # the first lines of the student's own traceback, if their code raised
    failed_test: str | None = None  # the test's function name: the key of its hints
    proved: str = ""  # on a pass: what the check proved, e.g. "5 behaviours, 2 sockets at once, cancellation"


def target_value(exercise: Exercise, target: str | Path) -> str:
    """EXERCISE_TARGET for a run: "starter", "solution", or "NN.K=<file>" for any other file."""
    return target if isinstance(target, str) else f"{exercise.id}={target}"


def checked_path(exercise: Exercise, target: str | Path) -> Path:
    if isinstance(target, Path):
        return target
    return exercise.starter_path if target == "starter" else exercise.solution_path


def check_env(target: str, tmp: str) -> dict[str, str]:
    """The environment of a check's pytest process: its target, no inspector, a test database of its own.

    Bytecode is written: pytest keeps each check's rewritten asserts in its folder's __pycache__ (half a
    CPU-second saved for every run of 25 checks); the student's file is never cached (exercises.targets.FromSource).
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env |= {TARGET_VARIABLE: target, "INSPECTOR": "0"}
    # A test database of its own: a check may run while the course's tests use test_db.sqlite3.
    env["TEST_DATABASE_NAME"] = str(Path(tmp) / "test_db.sqlite3")
    env[PROOF_VARIABLE] = str(Path(tmp) / "proved.jsonl")
    return env


def run_check(exercise: Exercise, target: str | Path = "starter", warm=None) -> Outcome:
    """Run `exercise`'s check against the student's file ("starter"), the solution ("solution") or a file.

    In a fork of `warm` (a course.kit.warm.WarmRuns, or the helper's client) when one is given: the same
    pytest run, without its start-up. A warm interpreter that is gone (WarmGone) costs nothing but the
    start-up it was to save: the run goes cold, from the beginning, in a process of its own.
    """
    path = checked_path(exercise, target)
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as error:
        where = f"{path.name}, line {error.lineno}: {(error.text or '').strip()}"
        return Outcome(False, None, f"your file does not compile: {error.msg}", where)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        args = [*PYTEST[3:], "-x", "-q", f"--timeout={PER_TEST_TIMEOUT}"]
        args += [f"--junitxml={report}", "-o", "junit_family=xunit1", str(exercise.check_path)]
        env = check_env(target_value(exercise, target), tmp)
        if warm is None:
            status, output = run_cold(args, env)
        else:
            from course.kit.warm import STUDENT_ARGS, WarmGone

            printed, errors = Path(tmp) / "output.txt", Path(tmp) / "errors.txt"
            try:
                status = warm.run([*STUDENT_ARGS, *args], env, REPO_DIR, printed, OVERALL_TIMEOUT, err=errors)
            except WarmGone:
                return run_check(exercise, target)  # afresh: a run cut short may have left half a report
            output = "".join(file.read_text(errors="replace") for file in (printed, errors) if file.exists())
        if status is None:
            return Outcome(
                False, None, f"the check did not finish within {OVERALL_TIMEOUT} s: does your consumer hang?"
            )
        if status == 0:
            return Outcome(True, proved=what_it_proved(report, Path(env[PROOF_VARIABLE])))
        return first_failure(report, output, path)


def run_cold(args: list[str], env: dict[str, str]) -> tuple[int | None, str]:
    """pytest `args` in a process of its own: its exit status (None: it ran over OVERALL_TIMEOUT) and its output."""
    try:
        done = subprocess.run(
            [*PYTEST[:3], *args], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=OVERALL_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return None, ""
    return done.returncode, done.stdout + done.stderr


# What a pass can claim beyond its behaviours; a check that proves less says which it did not try.
PROBES = ("sockets", "bad frames", "cancellation", "no blocking")


def what_it_proved(report: Path, log: Path) -> str:
    """What a pass proved, from the probes' notes: "6 behaviours, 2 sockets at once, 41 bad frames, ..."."""
    tests = [case for case in ElementTree.parse(report).getroot().iter("testcase") if not list(case)]
    notes = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    amounts: dict[str, int] = {}
    for note in notes:
        kind, amount = note["kind"], note["amount"]
        amounts[kind] = max(amounts.get(kind, 0), amount) if kind == "sockets" else amounts.get(kind, 0) + amount
    parts = [f"{len(tests)} behaviour{'s' if len(tests) != 1 else ''}"]
    if amounts.get("sockets", 0) >= 2:
        parts.append(f"{amounts['sockets']} sockets at once")
    if "bad frames" in amounts:
        parts.append(f"{amounts['bad frames']} bad frames")
    if "boundaries" in amounts:
        parts.append(f"{amounts['boundaries']} limits at their edges")
    if "processes" in amounts:
        parts.append(f"{amounts['processes']} server processes")
    parts += [kind for kind in ("cancellation", "no blocking") if kind in amounts]
    named = {"sockets", "bad frames", "boundaries", "processes", "cancellation", "no blocking"}
    parts += [f"{kind}: {amount}" for kind, amount in amounts.items() if kind not in named]  # e.g. "broken echoes: 3"
    untried = [kind for kind in PROBES if kind not in amounts or (kind == "sockets" and amounts[kind] < 2)]
    untried = ["two sockets" if kind == "sockets" else kind for kind in untried]
    return ", ".join(parts) + (f" (not tried by this check: {', '.join(untried)})" if untried else "")


def first_failure(report: Path, output: str, path: Path) -> Outcome:
    """The first failing test of a junit report, in a student's terms."""
    if not report.exists():
        return Outcome(False, None, "the check could not run: " + last_line(output))
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for problem in case:
            if problem.tag not in ("failure", "error"):
                continue
            text = failure_message(case)
            function = case.get("name", "").split("[", 1)[0]
            name = function.removeprefix("test_").replace("_", " ")
            return Outcome(False, name, explain(text), own_traceback(problem.text or "", path), function)
    return Outcome(False, None, "the check failed: " + last_line(output))


def failure_message(case: ElementTree.Element) -> str:
    """A failing test case's whole message, as course.kit.whole_message kept it in the junit report.

    Not the `message` attribute of its <failure> or <error>: pytest 9 cuts that at 500
    characters. A failure the plugin never saw has only the attribute (a check that
    did not even collect: "collection failure").
    """
    kept = [item.get("value") or "" for item in case.iter("property") if item.get("name") == WHOLE_MESSAGE]
    problems = [problem.get("message") or "" for problem in case if problem.tag in ("failure", "error")]
    return (kept or problems or [""])[0]


def explain(message: str) -> str:
    """The assertion's own sentences (all its lines), without pytest's `assert ... ==` rewriting underneath."""
    first = message.split("\nassert ", 1)[0].rstrip()
    for prefix in ("AssertionError: ", "Failed: "):
        first = first.removeprefix(prefix)
    if first.startswith("Timeout >"):  # pytest-timeout: the whole test hung
        return f"it hung for {PER_TEST_TIMEOUT} s: does every handler return, and does the consumer ever stop?"
    if first.startswith(("TimeoutError", "asyncio.exceptions.CancelledError")):
        return "the check waited for a frame (or an accept) from your consumer and got nothing within its wait"
    if first.startswith(("SyntaxError", "IndentationError", "ImportError", "ModuleNotFoundError", "NameError")):
        return f"your file does not import: {first}"
    return first


def own_traceback(detail: str, path: Path) -> str:
    """The lines of a failure's traceback that point into the student's own file (at most 6).

    Only a frame's place counts (pytest's `file.py:12: in f`, Python's `File "file.py", line 12`), never
    a line that merely mentions the file: a check's own frame shows its arguments, and the student's
    module among them names its path, which is no place in the student's code.
    """
    names = {str(path)} | ({str(path.relative_to(REPO_DIR))} if path.is_relative_to(REPO_DIR) else set())
    place = re.compile(rf'^\s*(?:File ")?(?:{"|".join(map(re.escape, names))})(?:", line |:)[0-9]+')
    lines = detail.splitlines()
    mine = []
    for number, line in enumerate(lines):
        if place.match(line):
            # The file:line, and the error pytest printed right after it.
            mine += [line.strip(), *(following.strip() for following in lines[number + 1 : number + 2])]
    return "\n".join(mine[:6])


def last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


# Each student's own progress, never committed (.gitignore); EXERCISES_STATE moves it (the tests do).
STATE_PATH = Path(os.environ.get("EXERCISES_STATE") or REPO_DIR / ".exercises-state.json")


def load_state() -> dict:
    """Per exercise: "failing" or "passing" (the last check's result) and how far each check's hints went."""
    try:
        return json.loads(STATE_PATH.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def save_state(state: dict) -> None:
    STATE_PATH.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")


def failure_kind(message: str) -> str:
    """What a check's message says went wrong, without what it saw: its first words, numbers and quotes left out.

    One assertion's message keeps its words from run to run and changes only what it quotes
    (a frame, a count); another assertion of the same check, another mistake, says other words.
    """
    words = re.sub(r"[0-9]+|'[^']*'|\"[^\"]*\"|\{.*", " ", message.split("\n", 1)[0]).split()
    return " ".join(words[:8])


def next_hint(entry: dict, exercise: Exercise, check: str | None, message: str = "") -> tuple[int, str] | None:
    """The hint to show for a failure of `check`: its ladder's next step (the last one stays), counted in `entry`.

    Each check climbs its own ladder, and only while it fails the same way: a different
    check failing starts at its own first hint, the same check failing again in the same
    words shows the next one, and the same check failing in other words (the first mistake
    is mended, another shows) starts its ladder over, so a rung written for one mistake is
    never shown for another.
    """
    ladder = exercise.hints_for(check)
    if not ladder:
        return None
    shown = entry.get("hints")
    if not isinstance(shown, dict):  # a progress file from before hints followed the check
        shown = entry["hints"] = {}
    kinds = entry.setdefault("failures", {})
    if kinds.get(check) != (kind := failure_kind(message)):
        shown[check], kinds[check] = 0, kind
    step = min(shown.get(check, 0), len(ladder) - 1)
    shown[check] = step + 1
    return step + 1, ladder[step]
