"""The kit's proof: every check fails on its starter, passes on its solution and alternatives, rejects every mistake.

A mistake is a diff against the reference solution (meta/mistakes/*.diff),
applied by `git apply` to a copy of the solution in a temporary folder; a diff
that no longer applies fails the proof, naming the file.
An alternative (meta/alternatives/*.py) is a correct solution in another
style, driven as it is: a check that refuses one has a bug (refused_alternatives).

Checks run many to a pytest process, not one process per (exercise, target):
a run drives up to 25 checks at the solutions, or each at one mistake of its
own exercise (EXERCISE_TARGET="NN.K=<file>,..."), or 5 at the starters. Twenty runs
go at once (PARALLEL_RUNS): a failing check mostly waits for a frame that never
comes, so runs overlap well even on two cores, and each process's start is paid
once per two dozen checks, and each run is a fork of one warm interpreter (course/kit/warm.py) that
imported pytest, Django and Channels once. Within a check, the tests after its first failure are skipped, as
the student's `-x` run stops there: that first failure is the message a student
would see, and it is what the proof inspects.

Used by tests/course/test_exercises_kit_slow.py; also the pytest plugin (`-p course.kit.proof`)
that does the skipping; `python -m course.kit.proof` prints every verdict. A mistake
rejected without its "The check says" words runs once more, alone (run_unsaid_again).
"""

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from course.kit.registry import EXERCISES, Exercise, Mistake
from course.kit.runner import PYTEST, REPO_DIR, check_env, explain, failure_message
from course.kit.warm import WarmRuns
from harness.patience import patient

# Pytest runs at once. A check mostly waits (for a frame, a deadline, a server), so many runs overlap
# even on two cores: the whole proof alone on an idle 2-core machine took 168 s with 4 at a time and
# 88 s with 10; 16 at a time took 74 s. Since every must-come wait is FRAME (10 s, not 1 s), a mistake
# that never answers waits ten times longer and the proof waits more still: with 10 at a time it took
# 462 s of a CI run's wall, with 20 at a time 320 s beside a mutation run (2026-11-26; about 110 MB each).
PARALLEL_RUNS = 20
# Untouched starters to a run: each mostly waits FRAME for an answer that never comes, so small runs, side by side.
STARTERS_A_RUN = 5
SLOWEST_SHOWN = 10  # check runs listed after the verdicts, slowest first
# Longer than a student's FRAME * 3 (30 s, course/kit/runner.py): on a busy CI machine a check that starts
# a process of its own (a fix exercise's runserver, say) can take more, and a verdict must not depend on the load.
# 60 s was not enough beside a busy loop on each core: a test of 11.1's check ran over it in a CI run (the
# proof's runs niced and starved, a FRAME wait then counted in the thread's own time, since kept to the wall
# clock: exercises/probes/waits.py's OwnTime), and only its second run, alone, said its words.
# Only a hung test ever waits for it: no kept mistake is told by this bound.
TEST_TIMEOUT = round(patient(120))  # scaled by COURSE_PATIENCE, as the student's is


class DiffDoesNotApply(Exception):
    """A mistake's diff no longer fits its solution: the solution changed under it."""


def aimed(mistake: Mistake, where: str) -> str:
    """The mistake's diff, its a/solution.py and b/solution.py made `where`, a path inside git apply's folder."""
    return re.sub(r"^(---|\+\+\+) ([ab])/solution\.py$", rf"\1 \2/{where}", mistake.path.read_text(), flags=re.M)


def apply_mistake(exercise: Exercise, mistake: Mistake, into: Path, name: str = "solution.py") -> Path:
    """The solution with `mistake` applied, written to into/<name>; git apply does the patching."""
    patched = into / name
    shutil.copyfile(exercise.solution_path, patched)
    done = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", "-"],
        input=aimed(mistake, name),
        cwd=into,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        where = mistake.path.relative_to(REPO_DIR) if mistake.path.is_relative_to(REPO_DIR) else mistake.path
        raise DiffDoesNotApply(f"{where} does not apply to its solution: {done.stderr.strip()}")
    return patched


def apply_mistakes(exercises: list[Exercise], into: Path) -> dict[tuple[str, str], Path]:
    """Every mistake of `exercises` applied to its own copy of the solution under `into`, with one `git apply`.

    (exercise id, mistake name) -> into/<exercise folder>/<mistake>.py: a folder per exercise,
    not per mistake, as a folder costs more than a file to make and to remove (on CI's disk,
    ext4 with discard, about 2 ms each way: bench/README.md). The diffs are joined into one
    patch, each aimed at its own copy, so git starts once, not once a mistake (hundreds of
    starts, most of a second). A diff that does not apply makes git apply nothing: then each
    is applied alone, and the first that fails is named, as apply_mistake names it.
    """
    patches, patched = [], {}
    for exercise in exercises:
        folder = into / exercise.folder.name
        folder.mkdir(parents=True)
        for mistake in exercise.mistakes:
            shutil.copyfile(exercise.solution_path, folder / f"{mistake.name}.py")
            patches.append(aimed(mistake, f"{exercise.folder.name}/{mistake.name}.py"))
            patched[exercise.id, mistake.name] = folder / f"{mistake.name}.py"
    combined = into / "mistakes.diff"
    combined.write_text("\n".join(patches))
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", str(combined)], cwd=into, capture_output=True)
    if done.returncode != 0:
        for exercise in exercises:
            for mistake in exercise.mistakes:
                apply_mistake(exercise, mistake, into / exercise.folder.name, f"{mistake.name}.py")
    return patched


@dataclass
class Verdict:
    failed: bool
    message: str = ""  # the first failure's sentence, as the student's run would show it
    test: str = ""
    ran: bool = True  # False: the check never reported (its pytest process broke), so it proves nothing
    skipped: str = ""  # why a test of the check skipped itself (a tool missing here, e.g. nginx), if one did
    first: str = ""  # a mistake run again alone: the message of its first run, which lacked its words
    # How long its check ran: its tests' setup, call and teardown, as pytest's report times them.
    seconds: float = field(default=0.0, compare=False)


# One run: the EXERCISE_TARGET value, and the exercises whose checks it drives.
Run = tuple[str, list[Exercise]]


def runs(exercises: list[Exercise], mistake_files: dict[tuple[str, str], Path], chunk: int = 25) -> list[Run]:
    """Every target covered once: the starters, the solutions, then every mistake, in runs of up to `chunk` checks.

    The starters go in runs of STARTERS_A_RUN: most untouched starters never answer, so their
    check waits FRAME (10 s) before it fails, and one run of 25 of them took 175 s, longer than
    all the rest of the proof beside it (CI, 2026-11-27). A run drives each of its checks at one
    file, so it holds at most one mistake of each exercise. Each run takes the next mistake of
    the exercises with the most left, which keeps the runs full to the end: the exercise with
    the most mistakes does not finish the proof alone, one pytest process for each of its last mistakes.
    """
    plan: list[Run] = [
        (target, list(exercises[at : at + size]))
        for target, size in (("starter", min(chunk, STARTERS_A_RUN)), ("solution", chunk))
        for at in range(0, len(exercises), size)
    ]
    left = {exercise.id: list(exercise.mistakes) for exercise in exercises}
    while any(left.values()):
        group = sorted((e for e in exercises if left[e.id]), key=lambda e: -len(left[e.id]))[:chunk]
        files = [f"{e.id}={mistake_files[e.id, left[e.id].pop(0).name]}" for e in group]
        plan.append((",".join(files), group))
    return plan


def alternative_runs(exercises: list[Exercise], chunk: int = 25) -> list[Run]:
    """Every alternative solution driven once, as its own file: runs of up to `chunk` checks, one file each."""
    plan: list[Run] = []
    left = {exercise.id: list(exercise.alternatives) for exercise in exercises}
    while any(left.values()):
        group = [exercise for exercise in exercises if left[exercise.id]][:chunk]
        plan.append((",".join(f"{e.id}={left[e.id].pop(0)}" for e in group), group))
    return plan


def alternative_target(exercise: Exercise, path: Path) -> str:
    """An alternative's key among the proof's verdicts: "02.3/alternatives/wrapper_at_import.py"."""
    return f"{exercise.id}/alternatives/{path.name}"


def refused_alternatives(verdicts: dict[str, dict[str, Verdict]], exercises=EXERCISES) -> dict[str, str]:
    """Each alternative its check failed (or never reported on): its file -> what the check said."""
    refused = {}
    for exercise in exercises:
        for path in exercise.alternatives:
            verdict = verdicts[alternative_target(exercise, path)][exercise.id]
            if verdict.failed or not verdict.ran:
                where = path.relative_to(REPO_DIR) if path.is_relative_to(REPO_DIR) else path
                refused[str(where)] = f"{verdict.test}: {verdict.message}" if verdict.test else verdict.message
    return refused


def run_checks(target: str, exercises: list[Exercise], warm: WarmRuns | None = None) -> dict[str, Verdict]:
    """Drive the checks of `exercises` at `target` in one pytest run: exercise id -> verdict.

    The run is a fork of `warm`'s interpreter when one is given (prove_all's), else a process of its own.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        args = [
            *PYTEST[3:],
            "-q",
            "-p",
            "course.kit.proof",
            f"--timeout={TEST_TIMEOUT}",
            "--continue-on-collection-errors",
            # The proof reads each failure's message, never its traceback: Python's own plain one is the cheapest
            # pytest prints (its long one read the source of every frame, a twentieth of the proof's CPU).
            "--tb=native",
        ]
        args += [f"--junitxml={report}", "-o", "junit_family=xunit1", *(str(e.check_path) for e in exercises)]
        if warm is not None:
            printed = Path(tmp) / "output.txt"
            status = warm.run(args, check_env(target, tmp), REPO_DIR, printed, timeout=600)
            output = printed.read_text(errors="replace").strip().splitlines()[-1:] if printed.exists() else []
            if status is None:
                output = ["the pytest run took over 600 s"]
        else:
            try:
                done = subprocess.run(
                    [*PYTEST[:3], *args],
                    cwd=REPO_DIR,
                    env=check_env(target, tmp),
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                output = (done.stdout + done.stderr).strip().splitlines()[-1:]
            except subprocess.TimeoutExpired:
                output = ["the pytest run took over 600 s"]
        silent = Verdict(False, f"the check did not report: {output}", ran=False)
        verdicts = {exercise.id: silent for exercise in exercises}
        by_folder = {exercise.folder.name: exercise.id for exercise in exercises}
        cases = ElementTree.parse(report).getroot().iter("testcase") if report.exists() else []
        seconds = dict.fromkeys(verdicts, 0.0)
        for case in cases:
            # classname "exercises.04_2_presence.check": the folder names the exercise.
            parts = (case.get("classname") or "").split(".")
            exercise_id = by_folder.get(parts[-2] if len(parts) >= 2 else "")
            if exercise_id is not None:
                seconds[exercise_id] += float(case.get("time") or 0)
            if exercise_id is None or verdicts[exercise_id].failed:
                continue
            problems = [p for p in case if p.tag in ("failure", "error")]
            if not problems:
                skips = [p.get("message") or "" for p in case if p.tag == "skipped"]
                reason = next((skip for skip in skips if EARLIER_FAILURE not in skip), "")
                verdicts[exercise_id] = Verdict(False, skipped=reason or verdicts[exercise_id].skipped)
                continue
            test = case.get("name", "").removeprefix("test_").replace("_", " ")
            verdicts[exercise_id] = Verdict(True, explain(failure_message(case)), test)
        return {
            exercise_id: replace(verdict, seconds=seconds[exercise_id]) for exercise_id, verdict in verdicts.items()
        }


def prove_all(workers: int = PARALLEL_RUNS, chunk: int = 25, exercises=EXERCISES) -> dict[str, dict[str, Verdict]]:
    """Target ("starter", "solution", "NN.K/<mistake>", "NN.K/alternatives/<file>") -> exercise id -> verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        mistake_files = apply_mistakes(list(exercises), Path(tmp))
        plan = runs(list(exercises), mistake_files, chunk) + alternative_runs(list(exercises), chunk)
        # Each run a fork of one warm interpreter (course/kit/warm.py): start-up paid once, not seventy times.
        # Windows has no fork: there each run is a process of its own.
        warmed = WarmRuns(dict(os.environ)) if hasattr(os, "fork") else nullcontext()
        with warmed as warm, ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda run: run_checks(*run, warm), plan))
            # A pytest run that broke (an internal error, a check that kills its process) leaves its
            # checks unreported: each of those runs again, alone, so one bad check cannot hide others.
            again = [(n, e) for n, (_, group) in enumerate(plan) for e in group if not results[n][e.id].ran]
            alone = pool.map(lambda retry: run_checks(own_target(plan[retry[0]][0], retry[1]), [retry[1]], warm), again)
            for (n, exercise), found in zip(again, alone, strict=True):
                results[n][exercise.id] = found[exercise.id]
            by_file = {str(path): f"{exercise_id}/{name}" for (exercise_id, name), path in mistake_files.items()}
            by_file |= {str(path): alternative_target(e, path) for e in exercises for path in e.alternatives}
            verdicts: dict[str, dict[str, Verdict]] = {"starter": {}, "solution": {}}
            for (target, group), found in zip(plan, results, strict=True):
                if target in verdicts:
                    verdicts[target].update(found)
                    continue
                for exercise in group:  # a mistakes (or alternatives) run: each verdict belongs to its own file
                    verdicts[by_file[own_target(target, exercise).split("=", 1)[1]]] = {exercise.id: found[exercise.id]}
            run_unsaid_again(verdicts, exercises, mistake_files, pool, warm)
    return verdicts


def run_unsaid_again(verdicts: dict, exercises, mistake_files: dict, pool: ThreadPoolExecutor, warm=None) -> None:
    """Each mistake rejected without its "The check says" words runs once more, alone; that verdict stands.

    A check racing the clock may, on a loaded machine, stop a mistake at another of its
    rules: still rejected, in another true sentence. The second run's verdict replaces
    the first, whose sentence `first` keeps, for the test to report. A mistake let
    through is never run again: a check that passes a wrong program even once has a hole.
    """
    unsaid = [
        (exercise, mistake)
        for exercise in exercises
        for mistake in exercise.mistakes
        if verdicts[f"{exercise.id}/{mistake.name}"][exercise.id].failed
        and mistake.says not in verdicts[f"{exercise.id}/{mistake.name}"][exercise.id].message
    ]
    alone = pool.map(
        lambda pair: run_checks(f"{pair[0].id}={mistake_files[pair[0].id, pair[1].name]}", [pair[0]], warm), unsaid
    )
    for (exercise, mistake), found in zip(unsaid, alone, strict=True):
        first = verdicts[f"{exercise.id}/{mistake.name}"][exercise.id].message
        verdicts[f"{exercise.id}/{mistake.name}"] = {exercise.id: replace(found[exercise.id], first=first)}


def own_target(target: str, exercise: Exercise) -> str:
    """The part of a run's EXERCISE_TARGET that names `exercise`'s file (the whole value for starter/solution)."""
    return next((part for part in target.split(",") if part.startswith(f"{exercise.id}=")), target)


def is_a_sentence(message: str) -> bool:
    """Written for a student: words, not pytest's `assert x == y` or a bare exception's repr."""
    if len(message) < 20 or " " not in message or message.startswith(("assert ", "AssertionError", "Traceback")):
        return False
    return not re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b", message)


# --- the pytest plugin: after a check's first failure, its other tests are skipped ----------

_failed_modules: set[str] = set()
EARLIER_FAILURE = "an earlier test of this check failed; a student's run stops there"


def pytest_runtest_setup(item):
    if item.nodeid.split("::")[0] in _failed_modules:
        pytest.skip(EARLIER_FAILURE)


def pytest_runtest_logreport(report):
    if report.failed:
        _failed_modules.add(report.nodeid.split("::")[0])


# python -m course.kit.proof [NN.K ...]: every verdict, e.g. for a mistake's "The check says".
if __name__ == "__main__":
    import argparse

    from course.kit.registry import get_exercise

    parser = argparse.ArgumentParser(
        prog="python -m course.kit.proof",
        description="Run each exercise's check on its starter, its solution, its alternatives and every mistake diff; "
        "print each verdict.",
    )
    parser.add_argument("ids", nargs="*", metavar="NN.K", help="exercises to prove (default: all of them)")
    parser.add_argument(
        "--workers", type=int, default=PARALLEL_RUNS, help=f"pytest runs at a time (default: {PARALLEL_RUNS})"
    )
    options = parser.parse_args()
    unknown = [exercise_id for exercise_id in options.ids if get_exercise(exercise_id) is None]
    if unknown:
        parser.error(f"no exercise {', '.join(unknown)}: ids look like 04.2 (`python manage.py exercise` lists them)")
    chosen = [get_exercise(exercise_id) for exercise_id in options.ids] or list(EXERCISES)
    wrong = []  # every verdict the proof cannot accept, so that a script (or CI) sees the exit status
    verdicts = prove_all(workers=options.workers, exercises=chosen)
    for target, found in verdicts.items():
        for exercise_id, verdict in found.items():
            state = "rejected" if verdict.failed else ("passed" if verdict.ran else "did not report")
            said = {f"{exercise_id}/{m.name}": m.says for m in get_exercise(exercise_id).mistakes}.get(target)
            should_pass = target == "solution" or "/alternatives/" in target
            if not verdict.ran or verdict.failed == should_pass:
                wrong.append(f"{exercise_id} {target}")
            if said is not None and verdict.failed and said not in verdict.message:
                state += f' (the diff\'s "The check says" words, "{said}", are not in this message)'
                wrong.append(f"{exercise_id} {target}")
            elif "/alternatives/" in target and (verdict.failed or not verdict.ran):
                state += " (a correct solution in another style: a check that refuses it has a bug)"
            elif verdict.first:
                state += f" (on a second run, alone: the first said {verdict.first[:200]!r})"
            print(f"{exercise_id}  {target}  {state}: {verdict.test} | {verdict.message}")
    timed = sorted(((v.seconds, e, t) for t, found in verdicts.items() for e, v in found.items()), reverse=True)
    print("\nThe slowest check runs (a student waits this long for that verdict, on this machine as busy as it is):")
    for seconds, exercise_id, target in timed[:SLOWEST_SHOWN]:
        print(f"  {seconds:6.1f} s  {exercise_id}  {target}")
    print(f"\n{len(wrong)} verdict(s) the proof cannot accept" + (": " + ", ".join(wrong) if wrong else ""))
    raise SystemExit(1 if wrong else 0)
