"""course/beside.py, make test's runner: the whole suite in front, the fast suite on Django 6 beside it."""

import os
import signal
import subprocess
import sys
import time

from course.catalogue import REPO_DIR

PYTHON = sys.executable


def beside(command_beside: str, *main: str, **popen) -> subprocess.Popen:
    # SIGINT as a terminal leaves it: a shell that started this test run in the background may ignore it.
    return subprocess.Popen(
        [PYTHON, "-m", "course.beside", command_beside, *main],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **popen,
    )


def test_the_run_besides_output_comes_after_the_main_runs_whole():
    run = beside("echo beside-1; sleep 0.2; echo beside-2", PYTHON, "-c", "import time; time.sleep(0.5); print('main')")
    out, _ = run.communicate(timeout=30)
    lines = out.splitlines()
    assert lines.index("main") < lines.index("beside-1") < lines.index("beside-2"), out


def test_the_exit_status_is_the_main_runs_when_it_failed():
    run = beside("exit 4", PYTHON, "-c", "raise SystemExit(3)")
    run.communicate(timeout=30)
    assert run.returncode == 3


def test_the_exit_status_is_the_run_besides_when_the_main_run_passed():
    run = beside("exit 4", PYTHON, "-c", "pass")
    out, _ = run.communicate(timeout=30)
    assert run.returncode == 4 and "exit status 4" in out


def test_the_run_beside_gets_a_test_database_of_its_own_and_runs_at_lower_priority():
    run = beside('echo "$TEST_DATABASE_NAME"; nice', PYTHON, "-c", "pass")
    out, _ = run.communicate(timeout=30)
    database, niceness = out.strip().splitlines()[-2:]
    assert os.path.basename(database) == "test_db.sqlite3" and not database.startswith(str(REPO_DIR))
    assert int(niceness) == min(19, os.nice(0) + 10)


def test_ctrl_c_stops_both_runs_and_the_status_says_so(tmp_path):
    # Each run says it is running (a file) once Python runs it, so the Ctrl-C cannot reach a shell still starting.
    sleeper = "import pathlib, sys, time; pathlib.Path(sys.argv[1]).touch(); time.sleep(60)"
    main, other = tmp_path / "main", tmp_path / "beside"
    run = beside(f"{PYTHON} -c '{sleeper}' {other}", PYTHON, "-c", sleeper, str(main), start_new_session=True)
    while not (main.exists() and other.exists()) and run.poll() is None:
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole foreground group
    out, _ = run.communicate(timeout=30)
    assert run.returncode == 128 + signal.SIGINT, out
