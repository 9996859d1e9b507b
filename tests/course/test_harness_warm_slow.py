"""harness/warm.py: a fork of the warm interpreter is the `python -m` process a fresh start would have been.

Every Daphne, `make workshop` room and `python manage.py` command the tests start is such a fork
(harness/servers.py's WarmDaphnes), so what a fresh process would read from its start — environment,
folder, PYTHONPATH, argv — the fork must read too, and its handle must end and report as a
subprocess.Popen's does.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.patience import COMMAND
from harness.servers import REPO_DIR, DaphneServer, WarmDaphnes, daphne_env
from harness.warm import WarmProcess, WarmProcesses

pytestmark = pytest.mark.slow  # each test starts a warm interpreter: about a second, not milliseconds

TELLS = """import json, os, sys
print(json.dumps({"cwd": os.getcwd(), "argv": sys.argv[1:], "said": os.environ.get("SAID"), "path": sys.path[:2]}))
sys.exit(3)
"""
SLEEPS = "import time\nprint('asleep', flush=True)\ntime.sleep(600)\n"


def write_modules(tmp_path):
    """tells.py and sleeps.py in a folder of their own, for PYTHONPATH."""
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "tells.py").write_text(TELLS)
    (folder / "sleeps.py").write_text(SLEEPS)
    return folder


def test_a_fork_runs_its_module_with_its_own_environment_folder_pythonpath_and_argv(tmp_path):
    modules = write_modules(tmp_path)
    env = {"PYTHONPATH": str(modules), "SAID": "the child's own"}
    with WarmProcesses(["json"]) as warm:
        child = warm.start("tells", ["one", "two"], env, tmp_path, tmp_path / "out")
        status = child.wait(COMMAND)
    told = json.loads((tmp_path / "out").read_text())
    assert status == 3 and child.returncode == 3 and child.poll() == 3
    assert told == {
        "cwd": str(tmp_path),
        "argv": ["one", "two"],
        "said": "the child's own",
        "path": [str(tmp_path), str(modules)],
    }


def test_a_script_fork_runs_as_python_script_does_its_folder_first_and_stderr_apart(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "tells.py").write_text(TELLS.replace("sys.exit(3)", "print('to stderr', file=sys.stderr)\nsys.exit(3)"))
    with WarmProcesses(["json"]) as warm:
        child = warm.start("scripts/tells.py", ["one"], {}, tmp_path, tmp_path / "out", tmp_path / "err", script=True)
        status = child.wait(COMMAND)
    told = json.loads((tmp_path / "out").read_text())
    assert status == 3 and (tmp_path / "err").read_text() == "to stderr\n"
    assert (told["cwd"], told["argv"], told["path"][0]) == (str(tmp_path), ["one"], str(scripts))


@pytest.mark.skipif(sys.platform != "linux", reason="the warm interpreter forks, which only Linux's tests use")
@pytest.mark.parametrize("argv", [["check", "--fail-level", "ERROR"], ["no-such-command"]])
def test_a_manage_py_command_forked_prints_errs_and_exits_as_a_fresh_one_does(argv):
    if not WarmDaphnes.enabled:
        pytest.skip("WARM_DAPHNES=0: every command the tests run is a fresh process")
    command, env = [sys.executable, "manage.py", *argv], {**os.environ, "PYTHONUNBUFFERED": "1"}
    fresh = subprocess.run(command, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
    forks = WarmDaphnes.warm().count
    forked = WarmDaphnes.run(command, REPO_DIR, env, COMMAND)
    assert WarmDaphnes.warm().count == forks + 1  # the warm interpreter forked it: not a fresh process
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)


def test_a_running_fork_polls_none_and_ends_by_terminate_with_sigterms_status(tmp_path):
    modules = write_modules(tmp_path)
    with WarmProcesses([]) as warm:
        child = warm.start("sleeps", [], {"PYTHONPATH": str(modules)}, tmp_path, tmp_path / "out")
        assert child.poll() is None
        child.terminate()
        assert child.wait(COMMAND) == -signal.SIGTERM


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux names a process by /proc/PID/comm")
def test_ps_names_a_fork_by_its_module_and_the_server_as_warm(tmp_path):
    modules = write_modules(tmp_path)
    with WarmProcesses([]) as warm:
        child = warm.start("sleeps", [], {"PYTHONPATH": str(modules)}, tmp_path, tmp_path / "out")
        deadline = time.monotonic() + COMMAND
        out = tmp_path / "out"  # the fork makes it, then names itself, then runs its module, which says "asleep"
        while not (out.exists() and "asleep" in out.read_text()) and time.monotonic() < deadline:
            time.sleep(0.01)
        names = {pid: (Path("/proc") / str(pid) / "comm").read_text().strip() for pid in (warm.server.pid, child.pid)}
        child.terminate()
        child.wait(COMMAND)
    assert names == {warm.server.pid: "warm server", child.pid: "warm sleeps"}


@pytest.mark.skipif(sys.platform != "linux", reason="the warm interpreter forks, which only Linux's tests use")
def test_a_fork_has_the_open_files_limit_its_client_set_after_the_server_started(tmp_path):
    """Lesson 14's ceiling probe lowers the limit for one server: the fork runs out of files where a fresh one would."""
    import resource

    modules = write_modules(tmp_path)
    (modules / "limits.py").write_text("import resource\nprint(resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n")
    own = resource.getrlimit(resource.RLIMIT_NOFILE)
    # A few below the worker's own, not far below: for that moment no thread of the worker may open a file past it.
    lowered = (own[0] if own[0] != resource.RLIM_INFINITY else 65536) - 7
    with WarmProcesses([]) as warm:  # started with the worker's own limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, own[1]))
        try:
            child = warm.start("limits", [], {"PYTHONPATH": str(modules)}, tmp_path, tmp_path / "out")
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, own)
        assert child.wait(COMMAND) == 0
    assert (tmp_path / "out").read_text().split() == [str(lowered)]


def test_closing_the_warm_interpreter_ends_the_forks_it_left_running(tmp_path):
    modules = write_modules(tmp_path)
    warm = WarmProcesses([])
    child = warm.start("sleeps", [], {"PYTHONPATH": str(modules)}, tmp_path, tmp_path / "out")
    warm.close()
    assert child.returncode == -signal.SIGTERM


def test_a_preload_that_reads_djangos_settings_stops_the_warm_interpreter(tmp_path):
    modules = write_modules(tmp_path)
    (modules / "reads_settings.py").write_text("from django.conf import settings\nsettings.DEBUG\n")
    env = {**os.environ, "PYTHONPATH": str(modules), "DJANGO_SETTINGS_MODULE": "lessons.settings"}
    command = [sys.executable, "-m", "harness.warm", "reads_settings"]
    done = subprocess.run(command, cwd=REPO_DIR, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == 1 and "read Django's settings" in done.stderr, done.stderr  # each fork reads its own


@pytest.mark.django_db
def test_a_daphne_the_tests_start_is_a_fork_that_serves_the_course_and_stops(django_db_setup):
    """On Linux the fork is a real Daphne: it listens, serves a page, and stops as a fresh one does."""
    from urllib.request import urlopen

    from django.db import connection

    server = DaphneServer(daphne_env(connection.settings_dict))
    assert isinstance(server.process, WarmProcess) == (sys.platform == "linux")
    try:
        with urlopen(server.http_url + "/", timeout=COMMAND) as response:
            assert response.status == 200
    finally:
        server.stop()
    assert server.process.returncode is not None
