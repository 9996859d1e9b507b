"""The kit's warm interpreter (course/kit/warm.py): a forked run is the pytest run a fresh process would have been."""

import os
import signal
from pathlib import Path

import pytest

from course.kit.warm import NICE, WarmRuns
from harness.patience import COMMAND, FRAME

FILES = {
    "test_passes.py": "def test_passes():\n    assert True\n",
    "test_fails.py": "def test_fails():\n    print('the run printed this')\n    assert 1 == 2\n",
    "test_reads_its_run.py": (
        "import os\n\ndef test_reads_its_run():\n"
        "    assert os.environ['WARM_RUN'] == 'second' and os.getcwd() == os.environ['WARM_CWD']\n"
    ),
    "test_yields_a_core.py": (
        "import os\n\ndef test_yields_a_core():\n"
        "    assert os.getpriority(os.PRIO_PROCESS, 0) == int(os.environ['WARM_NICE'])\n"
    ),
    "test_finds_daphne_warm.py": (
        "import sys\n\ndef test_finds_daphne_warm():\n"
        "    assert 'daphne.http_protocol' in sys.modules, 'not preloaded'\n"
        "    assert 'twisted.internet.reactor' not in sys.modules and 'daphne.server' not in sys.modules\n"
    ),
    "test_hangs.py": (
        "import pathlib, subprocess, time\n\ndef test_hangs():\n    sleeper = subprocess.Popen(['sleep', '600'])\n"
        "    pathlib.Path('started').write_text(str(sleeper.pid))\n    time.sleep(600)\n"
    ),
}
pytestmark = pytest.mark.slow  # each test starts a warm server and forks pytest runs of it: seconds, not milliseconds
ARGS = ["-p", "no:cacheprovider", "-p", "no:django", "-q", "-o", "addopts=", "-c", os.devnull]


def run(warm, tmp_path, name, timeout=COMMAND, **env):
    """One run of the test file `name` (of FILES, written to tmp_path): its exit status and what it printed."""
    for file, text in FILES.items():
        (tmp_path / file).write_text(text)
    out = tmp_path / f"{name}.out"
    status = warm.run([*ARGS, name], {**os.environ, **env}, tmp_path, out, timeout)
    return status, out.read_text()


def test_a_passing_and_a_failing_run_end_with_pytests_own_exit_statuses(tmp_path):
    with WarmRuns(dict(os.environ)) as warm:
        passing, (status, printed) = run(warm, tmp_path, "test_passes.py"), run(warm, tmp_path, "test_fails.py")
    assert passing[0] == 0, passing
    assert status == 1 and "the run printed this" in printed and "1 failed" in printed, printed


def test_each_run_has_the_environment_and_folder_it_was_given(tmp_path):
    with WarmRuns(dict(os.environ)) as warm:
        first = run(warm, tmp_path, "test_reads_its_run.py", WARM_RUN="first", WARM_CWD=str(tmp_path))
        second = run(warm, tmp_path, "test_reads_its_run.py", WARM_RUN="second", WARM_CWD=str(tmp_path))
    assert first[0] == 1 and second[0] == 0, (first, second)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="Unix's nice only: Windows has no fork, and no warm runs")
def test_each_run_yields_a_core_to_the_machines_other_work(tmp_path):
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + NICE, 19)  # as nice(1) adds: this worker's own, plus the kit's
    with WarmRuns(dict(os.environ)) as warm:
        status, printed = run(warm, tmp_path, "test_yields_a_core.py", WARM_NICE=str(expected))
    assert status == 0, printed


def test_each_run_finds_daphnes_modules_imported_and_installs_its_own_reactor(tmp_path):
    with WarmRuns(dict(os.environ)) as warm:
        status, printed = run(warm, tmp_path, "test_finds_daphne_warm.py")
    assert status == 0, printed


# It waits FRAME for a run that never ends.
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to find the run's child: Linux only")
def test_a_run_over_its_time_is_killed_with_what_it_started(tmp_path):
    with WarmRuns(dict(os.environ)) as warm:
        status, _ = run(warm, tmp_path, "test_hangs.py", timeout=FRAME)
    assert (tmp_path / "started").exists(), "the run never reached its sleep: nothing was proved"
    assert status is None, status
    # SIGKILL is sent, not done: a killed process leaves /proc once the kernel has scheduled its exit, which
    # beside a busy loop on each core came more than FRAME later (make test-flaky, twice). What the run's group
    # kill must do is reach the sleep: it has exited, or SIGKILL is pending, which nothing can block or undo.
    assert killed_or_gone(int((tmp_path / "started").read_text())), "the killed run's `sleep 600` lives on"


def killed_or_gone(pid: int) -> bool:
    """The process `pid` ran `sleep 600` and has exited since, or has SIGKILL pending (/proc/PID/status)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()  # empty once it has exited (a zombie keeps no memory)
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    except OSError:
        return True  # gone, reaped
    if command != b"sleep\x00600\x00":
        return True  # exited: a zombie, or its PID another process's by now
    pending = int(fields["ShdPnd"], 16) | int(fields["SigPnd"], 16)
    return bool(pending & 1 << (signal.SIGKILL - 1))
