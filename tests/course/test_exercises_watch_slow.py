"""`python manage.py exercise NN.K --watch`: it checks again on every save until the file passes, and Ctrl-C
stops it with a sentence."""

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
    """`python manage.py exercise 12.2 --watch` in a subprocess, its output read line by line."""

    def __init__(self):
        argv = [sys.executable, "manage.py", "exercise", "12.2", "--watch"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
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


# A check whose consumer's sync thread never returns (its handler waits on an event loop that has closed).
