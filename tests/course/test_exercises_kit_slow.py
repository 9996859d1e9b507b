"""The kit proves itself: every check fails on its starter, passes on its solution and alternatives, rejects mistakes.

The mistakes are found by folder (exercises/NN_K_slug/meta/mistakes/*.diff), so a new
one is proven as soon as it exists; each is applied to a copy of its solution with
`git apply` (tests/course/test_exercises_mistakes.py checks the diffs themselves).
Each alternative (meta/alternatives/*.py), a correct solution in another style, is
driven as it is: a check that refuses one has a bug.
course/kit/proof.py runs the checks many to a pytest process, several processes at
once (about five minutes on two cores: a mistake that never answers waits FRAME). Last, a check run in a pytest process of its
own that leaves a thread behind still exits with its status.
"""

import functools
import subprocess
import warnings
from dataclasses import replace

import pytest

from course.kit import proof
from course.kit.registry import EXERCISES, get_exercise
from course.kit.runner import PYTEST, REPO_DIR
from harness.patience import COMMAND, patient
from tests.helpers import require
from tests.helpers.once import once_per_run

# Whichever of these a worker runs first waits for the whole proof (once_per_run): about two and a half minutes
# on two idle cores, and beside a CPU hog and the suite's other slow tests (its runs niced, course/kit/warm.py),
# more than ten.
PROOF_TIMEOUT = patient(1800)


@functools.cache
def verdicts() -> dict:
    """Every check at every target, run once per test run: pytest-xdist's workers share it."""
    return once_per_run("kit-proof", proof.prove_all)


def mistakes():
    return [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]


@pytest.mark.slow
@pytest.mark.timeout(PROOF_TIMEOUT)
def test_every_check_fails_on_its_untouched_starter():
    passing = [exercise_id for exercise_id, verdict in verdicts()["starter"].items() if not verdict.failed]
    assert all(verdict.ran for verdict in verdicts()["starter"].values()), "a check on its starter never reported"
    assert passing == [], f"these checks pass on the untouched starter, so they prove nothing: {passing}"
    unclear = {i: v.message for i, v in verdicts()["starter"].items() if not proof.is_a_sentence(v.message)}
    assert unclear == {}, "a student's first run must read as a sentence"


@pytest.mark.slow
@pytest.mark.timeout(PROOF_TIMEOUT)
def test_every_check_passes_on_its_solution():
    failing = {exercise_id: v.message for exercise_id, v in verdicts()["solution"].items() if v.failed or not v.ran}
    assert not failing, "\n".join(f"{exercise_id}: {message}" for exercise_id, message in failing.items())


@pytest.mark.slow
@pytest.mark.timeout(PROOF_TIMEOUT)
def test_every_check_passes_on_every_alternative_solution():
    refused = proof.refused_alternatives(verdicts())
    assert not refused, "these checks refuse a correct solution in another style, a bug in the check:\n" + "\n".join(
        f"{path}: {message}" for path, message in refused.items()
    )


@pytest.mark.slow
def test_a_wrong_file_offered_as_an_alternative_fails_the_proof_naming_it(tmp_path):
    exercise = get_exercise("01.1")
    wrong = tmp_path / "shouts_back.py"  # deliberately wrong: the echo comes back upper-cased
    wrong.write_text(
        exercise.solution_path.read_text().replace('"text": event["text"]', '"text": event["text"].upper()')
    )
    fake = replace(exercise, alternatives=(wrong,))
    (target, group), *more = proof.alternative_runs([fake])
    verdicts = {proof.alternative_target(fake, wrong): proof.run_checks(target, group)}
    refused = proof.refused_alternatives(verdicts, [fake])
    assert more == [] and list(refused) == [str(wrong)], refused
    assert proof.is_a_sentence(refused[str(wrong)].split(": ", 1)[1]), refused


def not_tried() -> dict[str, str]:
    """Mistakes a check let through because it skipped the test that tries them: a tool missing here (13.1's nginx)."""
    found = {f"{e.id}/{m.name}": verdicts()[f"{e.id}/{m.name}"][e.id] for e, m in mistakes()}
    return {name: verdict.skipped for name, verdict in found.items() if not verdict.failed and verdict.skipped}


@pytest.mark.slow
@pytest.mark.timeout(PROOF_TIMEOUT)
def test_every_check_rejects_every_mistake():
    let_through = [f"{e.id}/{m.name}" for e, m in mistakes() if not verdicts()[f"{e.id}/{m.name}"][e.id].failed]
    assert sorted(let_through) == sorted(not_tried()), f"these checks pass a classic mistake: {let_through}"
    require(not let_through, f"these mistakes were not tried, as a tool is missing here: {not_tried()}")


@pytest.mark.slow
@pytest.mark.timeout(PROOF_TIMEOUT)
def test_a_rejected_mistake_is_told_the_rule_it_breaks_in_a_sentence():
    unclear, skipped = {}, not_tried()  # once: each call reads every mistake's diff again
    for exercise, mistake in mistakes():
        verdict = verdicts()[f"{exercise.id}/{mistake.name}"][exercise.id]
        if f"{exercise.id}/{mistake.name}" in skipped:
            continue
        if not proof.is_a_sentence(verdict.message) or mistake.says not in verdict.message:
            unclear[f"{exercise.id}/{mistake.name}"] = f"expected {mistake.says!r} in: {verdict.message}"
    assert not unclear, "\n".join(f"{name}: {problem}" for name, problem in unclear.items())
    for exercise, mistake in mistakes():  # told their words only on a second run (proof.run_unsaid_again)
        if first := verdicts()[f"{exercise.id}/{mistake.name}"][exercise.id].first:
            warnings.warn(
                f"{exercise.id}/{mistake.name} said its words on a second run; the first said: {first}", stacklevel=1
            )
    require(not skipped, f"these mistakes were not tried, as a tool is missing here: {skipped}")


LINGERING = """
import threading
from concurrent.futures import ThreadPoolExecutor

def test_leaves_a_thread_behind():
    ThreadPoolExecutor(1).submit(threading.Event().wait)
    assert {outcome}
"""


@pytest.mark.slow
@pytest.mark.parametrize(("outcome", "status"), [("True", 0), ("False", 1)])
def test_a_check_leaving_a_thread_that_never_ends_still_exits_with_its_status(tmp_path, outcome, status):
    check = tmp_path / "check.py"
    check.write_text(LINGERING.format(outcome=outcome))
    argv = [*PYTEST, "-q", "-p", "exercises.conftest", str(check)]
    # Without exercises/conftest.py's exit, Python would join the thread at exit and never get there.
    done = subprocess.run(argv, cwd=REPO_DIR, capture_output=True, text=True, timeout=COMMAND)
    assert done.returncode == status, done.stdout


# A check whose test ends while a sync handler still holds Django's one sync thread, then a check that needs it.
HELD_SYNC_THREAD = """
import asyncio, threading
from asgiref.sync import sync_to_async

async def test_leaves_the_sync_thread_held():
    asyncio.ensure_future(sync_to_async(threading.Event().wait)())
    await asyncio.sleep(0.1)

async def test_a_later_check_still_gets_a_sync_thread():
    assert await asyncio.wait_for(sync_to_async(lambda: 1)(), 2) == 1
"""


@pytest.mark.slow
def test_a_sync_thread_one_check_left_held_does_not_stall_the_next_checks(tmp_path):
    check = tmp_path / "check.py"
    check.write_text(HELD_SYNC_THREAD)
    # The repository's pytest settings (asyncio_mode = "auto") for a file outside it.
    argv = [*PYTEST, "-q", "-p", "exercises.conftest", "-c", str(REPO_DIR / "pyproject.toml"), str(check)]
    # In a proof run of 25 checks, every later check's database_sync_to_async would wait behind it for ever.
    done = subprocess.run(argv, cwd=REPO_DIR, capture_output=True, text=True, timeout=COMMAND)
    assert done.returncode == 0, done.stdout
