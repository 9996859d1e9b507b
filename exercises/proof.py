"""The kit's proof: every check fails on its starter, passes on its solution, rejects every wrong solution.

Checks run many to a pytest process, not one process per (exercise, target):
a run drives up to 12 checks at the starters, or at the solutions, or each at
one wrong solution of its own exercise (EXERCISE_TARGET lists them, see
registry.load_target). Six runs go at once: a failing check mostly waits for
a frame that never comes, so runs overlap well even on two cores, and each
process's start (about 1.3 s of CPU) is paid once per dozen checks.
Within a check, the tests after its first failure are skipped, as the
student's `-x` run stops there: that first failure is the message a student
would see, and it is what the proof inspects.

Used by tests/test_exercises_kit_slow.py; also the pytest plugin (`-p exercises.proof`)
that does the skipping; `python -m exercises.proof` prints every verdict.
"""

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from exercises.registry import EXERCISES, EXERCISES_DIR, TARGET_VARIABLE, Exercise, get_exercise
from exercises.runner import REPO_DIR, explain

WRONG_DIR = EXERCISES_DIR / "wrong"
# Longer than a student's 10 s: on a busy CI machine a check that starts a process of its own
# (a fix exercise's runserver, say) can take more, and a verdict must not depend on the load.
TEST_TIMEOUT = 30
# exNN_K_<slug>__<mistake>.py
WRONG_NAME = re.compile(r"ex(?P<number>\d\d)_(?P<k>\d+)_(?P<slug>[a-z0-9_]+?)__(?P<mistake>[a-z0-9_]+)\.py")
# A wrong solution's docstring says which words the check's message must contain: The check says: "..."
CHECK_SAYS = re.compile(r'^The check says: "(?P<words>.+)"$', re.MULTILINE)


@dataclass(frozen=True)
class Wrong:
    path: Path
    exercise: Exercise | None  # None: the file names no known exercise

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def expected_words(self) -> str | None:
        match = CHECK_SAYS.search(self.path.read_text(encoding="utf-8"))
        return match.group("words") if match else None


def wrong_solutions() -> list[Wrong]:
    """Every file of exercises/wrong/ but __init__.py, with the exercise its name points to."""
    found = []
    for path in sorted(WRONG_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        match = WRONG_NAME.fullmatch(path.name)
        exercise = get_exercise(f"{match['number']}.{match['k']}") if match else None
        if exercise is not None and exercise.slug != match["slug"]:
            exercise = None
        found.append(Wrong(path, exercise))
    return found


@dataclass
class Verdict:
    failed: bool
    message: str = ""  # the first failure's sentence, as the student's run would show it
    test: str = ""
    ran: bool = True  # False: the check never reported (its pytest process broke), so it proves nothing


def runs(chunk: int = 12) -> list[tuple[str, list[Exercise]]]:
    """(EXERCISE_TARGET, the exercises whose checks that run drives), every target covered once.

    At most `chunk` checks a run: a failing check mostly waits (for a frame that
    never comes), so several runs at once share two cores well.
    """
    plan = [("starter", list(EXERCISES)), ("solution", list(EXERCISES))]
    by_exercise: dict[str, list[Wrong]] = {}
    for wrong in wrong_solutions():
        if wrong.exercise is not None:
            by_exercise.setdefault(wrong.exercise.id, []).append(wrong)
    rounds = max((len(wrongs) for wrongs in by_exercise.values()), default=0)
    for n in range(rounds):
        group = [wrongs[n] for wrongs in by_exercise.values() if len(wrongs) > n]
        plan.append((",".join(f"wrong/{wrong.stem}" for wrong in group), [wrong.exercise for wrong in group]))
    return [
        (target, exercises[start : start + chunk])
        for target, exercises in plan
        for start in range(0, len(exercises), chunk)
    ]


def run_checks(target: str, exercises: list[Exercise]) -> dict[str, Verdict]:
    """Drive the checks of `exercises` at `target` in one pytest process: exercise id -> verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        env = {**os.environ, TARGET_VARIABLE: target, "INSPECTOR": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        env["TEST_DATABASE_NAME"] = str(Path(tmp) / "test_db.sqlite3")
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "exercises.proof"]
        argv += [f"--timeout={TEST_TIMEOUT}", "--continue-on-collection-errors", f"--junitxml={report}"]
        argv += ["-o", "junit_family=xunit1", *(str(exercise.check_path) for exercise in exercises)]
        try:
            done = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=600)
            output = (done.stdout + done.stderr).strip().splitlines()[-1:]
        except subprocess.TimeoutExpired:
            output = ["the pytest run took over 600 s"]
        silent = Verdict(False, f"the check did not report: {output}", ran=False)
        verdicts = {exercise.id: silent for exercise in exercises}
        by_module = {exercise.check_path.stem: exercise.id for exercise in exercises}
        cases = ElementTree.parse(report).getroot().iter("testcase") if report.exists() else []
        for case in cases:
            module = (case.get("classname") or case.get("name") or "").rsplit(".", 1)[-1]
            exercise_id = by_module.get(module)
            if exercise_id is None or verdicts[exercise_id].failed:
                continue
            problems = [p for p in case if p.tag in ("failure", "error")]
            if not problems:
                verdicts[exercise_id] = Verdict(False)
                continue
            test = case.get("name", "").removeprefix("test_").replace("_", " ")
            verdicts[exercise_id] = Verdict(True, explain(problems[0].get("message") or ""), test)
        return verdicts


def prove_all(workers: int = 6, chunk: int = 12) -> dict[str, dict[str, Verdict]]:
    """Kind of target ("starter", "solution", "wrong/<stem>") -> exercise id -> verdict, `workers` runs at a time."""
    plan = runs(chunk)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda run: run_checks(*run), plan))
        # A pytest run that broke (an internal error, a check that kills its process) leaves its
        # checks unreported: each of those runs again, alone, so one bad check cannot hide others.
        again = [
            (n, exercise) for n, (_, exercises) in enumerate(plan) for exercise in exercises
            if not results[n][exercise.id].ran
        ]
        alone = pool.map(lambda retry: run_checks(plan[retry[0]][0], [retry[1]]), again)
        for (n, exercise), found in zip(again, alone, strict=True):
            results[n][exercise.id] = found[exercise.id]
    verdicts: dict[str, dict[str, Verdict]] = {"starter": {}, "solution": {}}
    for (target, exercises), found in zip(plan, results, strict=True):
        if target in verdicts:
            verdicts[target].update(found)
            continue
        for exercise in exercises:  # a wrong run: each exercise's verdict belongs to its own wrong solution
            stem = next(s for s in target.removeprefix("wrong/").split(",wrong/") if s.startswith(exercise.module_name + "__"))
            verdicts[f"wrong/{stem}"] = {exercise.id: found[exercise.id]}
    return verdicts


def is_a_sentence(message: str) -> bool:
    """Written for a student: words, not pytest's `assert x == y` or a bare exception's repr."""
    if len(message) < 20 or " " not in message or message.startswith(("assert ", "AssertionError", "Traceback")):
        return False
    return not re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b", message)


# --- the pytest plugin: after a check's first failure, its other tests are skipped ----------

_failed_modules: set[str] = set()


def pytest_runtest_setup(item):
    if item.nodeid.split("::")[0] in _failed_modules:
        pytest.skip("an earlier test of this check failed; a student's run stops there")


def pytest_runtest_logreport(report):
    if report.failed:
        _failed_modules.add(report.nodeid.split("::")[0])


if __name__ == "__main__":  # python -m exercises.proof: every verdict, e.g. to choose a wrong file's "The check says"
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
    django.setup()
    for target, found in prove_all().items():
        for exercise_id, verdict in found.items():
            state = "rejected" if verdict.failed else ("passed" if verdict.ran else "did not report")
            print(f"{exercise_id}  {target}  {state}: {verdict.test} | {verdict.message}")
