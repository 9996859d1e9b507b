"""The exercise helper (course/kit/helper.py): a plain `manage.py exercise NN.K` after the first is a fork of its warm
interpreter, prints what a cold run prints, and the helper ends on --stop, is never started with EXERCISE_HELPER=0,
and is replaced without a word when it was killed."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from course.kit import helper, proof, runner
from course.kit.registry import get_exercise
from course.kit.runner import REPO_DIR
from harness.patience import COMMAND, SERVER_START, SERVER_STOP
from tests.course.test_exercises_watch_slow import exercise_mistake, recorded, runs

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.isdir("/proc"), reason="the file under check reads its parent in /proc: Linux only"),
]


def exercise(*args: str, log) -> subprocess.CompletedProcess:
    """`python manage.py exercise ARGS` as a student types it, the file under check recording its imports in `log`."""
    env = {**os.environ, "RUNS_LOG": str(log)}
    return subprocess.run(
        [sys.executable, "manage.py", "exercise", *args], cwd=REPO_DIR, env=env, capture_output=True, text=True,
        timeout=COMMAND,
    )  # fmt: skip


def answering_helper() -> int:
    """The PID of this checkout's helper once it accepts runs (it started in the background); fails after SERVER_START."""
    key, deadline = helper.kit_digest(), time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        pid = helper.holder(key)
        with socket.socket(socket.AF_UNIX) as probe:
            if pid is not None and probe.connect_ex(str(helper.folder() / f"{key}.sock")) == 0:
                return pid
        time.sleep(0.05)
    pytest.fail(f"no exercise helper answered within {SERVER_START} s: {list(helper.folder().iterdir())}")


def parents(log, before: set[int]) -> list[tuple[str, int]]:
    """For each run since `before` (the PIDs already in the log): the name of its parent, and that parent's parent."""
    return [(imports[0][1], int(imports[0][2])) for pid, imports in runs(log).items() if pid not in before]


def a_wrong_file(tmp_path):
    """01.1's file holding one of its kept mistakes, which records each import of it: the log it writes."""
    exercise = get_exercise("01.1")
    wrong = proof.apply_mistake(exercise, exercise_mistake(exercise, "strips_the_text"), tmp_path)
    recorded(wrong, exercise.starter_path)
    return tmp_path / "runs.log"


def test_a_second_plain_run_is_a_fork_of_the_helper_and_prints_what_a_cold_one_did(
    own_starters, own_exercise_state, tmp_path, own_exercise_helper
):
    log = a_wrong_file(tmp_path)
    cold = exercise("01.1", log=log)  # none answers: cold, and it starts one
    helper_pid = answering_helper()
    runner.STATE_PATH.unlink()  # the second run finds the progress the first found, so the same hint
    before = set(runs(log))
    warm = exercise("01.1", log=log)
    assert parents(log, before) == [("warm_server", helper_pid)], runs(log)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert "01.1 failed." in cold.stdout and "Hint 1 of" in cold.stdout, cold.stdout


def test_stop_ends_the_helper(own_starters, own_exercise_state, tmp_path, own_exercise_helper):
    log = a_wrong_file(tmp_path)
    exercise("01.1", log=log)
    helper_pid = answering_helper()
    stopped = exercise("--stop", log=log)
    assert stopped.stdout.strip() == f"Stopped the exercise helper (pid {helper_pid})."
    assert helper.ended(helper_pid, SERVER_STOP) and helper.holder(helper.kit_digest()) is None


def test_with_exercise_helper_0_every_run_is_cold_and_none_is_started(
    own_starters, own_exercise_state, tmp_path, own_exercise_helper, monkeypatch
):
    log = a_wrong_file(tmp_path)
    monkeypatch.setenv(helper.VARIABLE, "0")
    for _ in range(2):
        exercise("01.1", log=log)
    assert len(parents(log, set())) == 2
    assert "warm_server" not in {name for name, _ in parents(log, set())}, runs(log)
    assert list(own_exercise_helper.iterdir()) == []


def test_a_helper_killed_with_sigkill_is_replaced_and_the_run_goes_cold(
    own_starters, own_exercise_state, tmp_path, own_exercise_helper
):
    log = a_wrong_file(tmp_path)
    exercise("01.1", log=log)
    killed = answering_helper()
    os.kill(killed, signal.SIGKILL)
    assert helper.ended(killed, SERVER_STOP)
    before = set(runs(log))
    told = exercise("01.1", log=log)
    assert "01.1 failed." in told.stdout and told.stderr == "", told
    (cold,) = parents(log, before)
    assert cold[0] != "warm_server", runs(log)  # the command's own pytest
    assert answering_helper() != killed
