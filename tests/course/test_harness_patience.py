"""harness/patience.py's deadlines scale together with COURSE_PATIENCE; harness/busy.py runs a command beside a hog."""

import inspect
import os
import subprocess
import sys

import pytest

from course.catalogue import REPO_DIR

DEADLINES = "from harness import patience as p; print(p.FRAME, p.SERVER_START, p.CONDITION, p.COMMAND, p.TEST)"


def python(code_or_args: list[str], patience: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "COURSE_PATIENCE"}
    if patience is not None:
        env["COURSE_PATIENCE"] = patience
    return subprocess.run([sys.executable, *code_or_args], cwd=REPO_DIR, env=env, capture_output=True, text=True)


def test_every_liveness_deadline_scales_with_course_patience():
    usual = [float(n) for n in python(["-c", DEADLINES]).stdout.split()]
    slower = [float(n) for n in python(["-c", DEADLINES], patience="3").stdout.split()]
    assert slower == [3 * seconds for seconds in usual]


def test_a_course_patience_that_is_no_number_is_refused_naming_the_setting():
    done = python(["-c", DEADLINES], patience="slow")
    assert done.returncode != 0 and "COURSE_PATIENCE='slow': give a number from 1 to 100" in done.stderr


def test_busy_runs_the_command_each_time_and_exits_with_the_first_failure():
    done = python(["-m", "harness.busy", "--hogs", "1", "--runs", "2", "--", "sh", "-c", "exit 3"])
    assert done.returncode == 3
    assert "run 2 of 2: exit 3" in done.stdout and "0 of 2 run(s) passed beside the hog" in done.stdout


def test_every_test_communicator_waits_frame_for_what_must_come_and_not_for_silence():
    from asgiref.testing import ApplicationCommunicator
    from channels.testing import HttpCommunicator, WebsocketCommunicator

    from harness.patience import FRAME

    waits = [WebsocketCommunicator.connect, WebsocketCommunicator.receive_from, WebsocketCommunicator.disconnect]
    waits += [HttpCommunicator.get_response, ApplicationCommunicator.receive_output, ApplicationCommunicator.wait]
    timeouts = {wait.__qualname__: inspect.signature(wait).parameters["timeout"].default for wait in waits}
    assert timeouts == {wait.__qualname__: FRAME for wait in waits}  # tests/conftest.py sets them; Channels says 1
    assert inspect.signature(ApplicationCommunicator.receive_nothing).parameters["timeout"].default == 0.1


def test_communicators_wait_sets_the_timeout_in_its_block_then_puts_the_old_back():
    from channels.testing import WebsocketCommunicator

    from harness.patience import communicators_wait

    def timeout() -> float:
        return inspect.signature(WebsocketCommunicator.receive_from).parameters["timeout"].default

    before = timeout()
    with communicators_wait(before + 7):
        inside = timeout()
    assert (inside, timeout()) == (before + 7, before)


def test_a_measured_server_that_never_listens_says_so():
    from bench.common.processes import Server
    from harness.servers import free_port

    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    # Not a FileNotFoundError: a measured server's stop() removes the log the error quotes.
    with pytest.raises(RuntimeError, match="a silent server did not listen"):
        Server("a silent server", argv, dict(os.environ), free_port(), timeout=0.1)


async def test_polled_gives_the_conditions_first_true_value_once_it_comes():
    from harness.patience import polled

    looks = iter([None, 0, "", "the row"])
    assert await polled(lambda: next(looks), every=0) == "the row"


async def test_polled_gives_none_when_the_condition_never_holds_by_its_deadline():
    from harness.patience import polled

    looked = []
    assert await polled(lambda: looked.append(1), deadline=0.05, every=0.01) is None
    assert len(looked) >= 2  # it looked again before giving up, not once


async def test_polled_awaits_a_condition_that_is_a_coroutine_function():
    from harness.patience import polled

    answers = iter([False, {"room": "lobby"}])

    async def round_trip():
        return next(answers)

    assert await polled(round_trip, every=0) == {"room": "lobby"}
