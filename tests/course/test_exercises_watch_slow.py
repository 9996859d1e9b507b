"""`python manage.py exercise NN.K --watch`: it checks again on every save until the file passes, each check a fork
of the watch's warm interpreter that imports the file afresh, and Ctrl-C stops it with a sentence."""

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from course.kit import proof
from course.kit.registry import get_exercise
from course.kit.runner import REPO_DIR
from harness.patience import COMMAND, SERVER_STOP


class Watcher:
    """`python manage.py exercise 12.2 --watch` (or `exercise_id`'s) in a subprocess, its output read line by line."""

    def __init__(self, exercise_id: str = "12.2", **env: str):
        argv = [sys.executable, "manage.py", "exercise", exercise_id, "--watch"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        # stderr to a file: a pipe nobody reads until the end could fill and stall the watcher.
        self.errors = tempfile.TemporaryFile(mode="w+")
        # A child inherits an ignored SIGINT (something earlier in a long run may ignore it), and
        # Python then installs no Ctrl-C handler: give the watcher the default, as a terminal does.
        self.process = subprocess.Popen(
            argv,
            cwd=REPO_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout])
        self.reader.start()
        self.seen: list[str] = []

    def wait_for(self, text: str, timeout: float = COMMAND, again=None) -> None:
        """Read until a line holds `text`; every 2 s of silence, call `again` (a second save, say)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.seen.append(self.lines.get(timeout=2))
            except queue.Empty:
                if again is not None:
                    again()
                continue
            if text in self.seen[-1]:
                return
        pytest.fail(f"no line with {text!r} within {timeout} s; the watcher said: {self.seen}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=SERVER_STOP)
        self.reader.join(timeout=SERVER_STOP)
        self.process.stdout.close()
        self.errors.close()


def exercise_mistake(exercise, name: str) -> proof.Mistake:
    return next(mistake for mistake in exercise.mistakes if mistake.name == name)


def save(path: Path, source: Path) -> None:
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.mark.slow
def test_watch_checks_again_on_every_save_until_the_file_passes(own_starters):
    exercise = get_exercise("12.2")
    mine = exercise.starter_path  # own_starters: this test's own copy
    watcher = Watcher()
    try:
        watcher.wait_for("12.2 failed.")  # the untouched starter, checked at once
        wrong = proof.apply_mistake(exercise, exercise_mistake(exercise, "remembers_only_the_last"), mine.parent.parent)
        save(mine, wrong)
        watcher.wait_for("changed: checking again", again=lambda: save(mine, wrong))
        watcher.wait_for("not only the last one")  # the rule that wrong solution breaks
        save(mine, exercise.solution_path)
        watcher.wait_for("12.2 passed", again=lambda: save(mine, exercise.solution_path))
        assert watcher.process.wait(timeout=COMMAND) == 0
    finally:
        watcher.stop()


@pytest.mark.slow
def test_ctrl_c_stops_watching_with_a_sentence_and_no_traceback(own_starters):
    watcher = Watcher()
    try:
        watcher.wait_for("Waiting for a save of")
        watcher.process.send_signal(signal.SIGINT)
        assert watcher.process.wait(timeout=COMMAND) == 130
        watcher.wait_for("Stopped watching 12.2.")
        watcher.errors.seek(0)
        assert "Traceback" not in watcher.errors.read()
    finally:
        watcher.stop()


# Appended to a file under check: each import of it says, in RUNS_LOG, which process imported it, that process's
# parent (its name and its own parent), and how many times this interpreter had imported it (module state would
# be 2 the second time).
RECORD = """
import builtins as _builtins, os as _os
_builtins.imports_seen = getattr(_builtins, "imports_seen", 0) + 1
_parent = _os.getppid()
with open(f"/proc/{_parent}/comm") as _comm, open(f"/proc/{_parent}/stat") as _stat:
    _parent_says = f"{_parent} {_comm.read().strip().replace(' ', '_')} {_stat.read().rsplit(')', 1)[1].split()[1]}"
with open(_os.environ["RUNS_LOG"], "a") as _log:
    _log.write(f"{_os.getpid()} {_parent_says} {_builtins.imports_seen}\\n")
"""


def recorded(source: Path, into: Path) -> Path:
    """`source` with RECORD appended, written to `into`."""
    into.write_text(source.read_text(encoding="utf-8") + RECORD, encoding="utf-8")
    return into


def runs(log: Path) -> dict[int, list[list[str]]]:
    """RUNS_LOG's lines by the PID of the process that imported the file: [parent, its name, its parent, count]."""
    found: dict[int, list[list[str]]] = {}
    for line in log.read_text().splitlines():
        pid, *rest = line.split()
        found.setdefault(int(pid), []).append(rest)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the file under check reads its parent in /proc: Linux only")
def test_a_save_under_watch_is_checked_in_a_fork_of_the_watchs_warm_interpreter(own_starters, tmp_path):
    exercise, log = get_exercise("01.1"), tmp_path / "runs.log"
    wrong = proof.apply_mistake(exercise, exercise_mistake(exercise, "strips_the_text"), tmp_path)
    recorded(wrong, exercise.starter_path)
    watcher = Watcher("01.1", RUNS_LOG=str(log))
    try:
        watcher.wait_for("01.1 failed.")
        first = set(runs(log))
        right = recorded(exercise.solution_path, tmp_path / "right.py")
        watcher.wait_for("01.1 passed", again=lambda: save(exercise.starter_path, right))
        (after_the_save,) = set(runs(log)) - first
        parent, name, grandparent, _ = runs(log)[after_the_save][0]
    finally:
        watcher.stop()
    assert (name, int(grandparent)) == ("warm_server", watcher.process.pid), runs(log)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the file under check reads its parent in /proc: Linux only")
def test_no_module_state_of_the_students_file_survives_into_the_next_run(own_starters, tmp_path):
    exercise, log = get_exercise("01.1"), tmp_path / "runs.log"
    recorded(exercise.solution_path, tmp_path / "right.py")
    wrong = recorded(
        proof.apply_mistake(exercise, exercise_mistake(exercise, "strips_the_text"), tmp_path), tmp_path / "w.py"
    )
    save(exercise.starter_path, wrong)
    watcher = Watcher("01.1", RUNS_LOG=str(log))
    try:
        watcher.wait_for("01.1 failed.")
        watcher.wait_for("01.1 passed", again=lambda: save(exercise.starter_path, tmp_path / "right.py"))
    finally:
        watcher.stop()
    assert len(runs(log)) >= 2 and {imports[0][-1] for imports in runs(log).values()} == {"1"}, runs(log)
