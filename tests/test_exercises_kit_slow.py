"""The kit proves itself: every check fails on its starter, passes on its solution, rejects every wrong solution.

The wrong solutions are found by file name (exercises/wrong/exNN_K_<slug>__<mistake>.py),
so a new one is proven as soon as it exists. exercises/proof.py runs the checks many to
a pytest process, several processes at once (about a minute on two cores).
"""

import functools
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

from exercises import proof
from exercises.registry import EXERCISES, EXERCISES_DIR, get_exercise
from exercises.runner import REPO_DIR


@functools.cache
def verdicts() -> dict:
    """Every check at every target, run once for this module's tests."""
    return proof.prove_all()


def test_every_wrong_solution_is_named_after_a_known_exercise():
    unknown = [wrong.path.name for wrong in proof.wrong_solutions() if wrong.exercise is None]
    assert unknown == [], f"these wrong solutions name no exercise of exercises/registry.py: {unknown}"


def test_every_exercise_has_at_least_two_wrong_solutions():
    counts = {exercise.id: 0 for exercise in EXERCISES}
    for wrong in proof.wrong_solutions():
        if wrong.exercise is not None:
            counts[wrong.exercise.id] += 1
    assert [exercise_id for exercise_id, count in counts.items() if count < 2] == []


def test_every_wrong_solution_names_its_rule_and_what_the_check_says():
    for wrong in proof.wrong_solutions():
        text = wrong.path.read_text(encoding="utf-8")
        assert text.startswith('"""') and text[3:].split("\n", 1)[0].strip(), f"{wrong.path.name}: no rule line"
        assert wrong.expected_words, f'{wrong.path.name}: no line `The check says: "<words>"` in its docstring'


@pytest.mark.slow
@pytest.mark.timeout(600)  # the first of these runs the whole proof: about a minute on two idle cores
def test_every_check_fails_on_its_untouched_starter():
    passing = [exercise_id for exercise_id, verdict in verdicts()["starter"].items() if not verdict.failed]
    assert all(verdict.ran for verdict in verdicts()["starter"].values()), "a check on its starter never reported"
    assert passing == [], f"these checks pass on the untouched starter, so they prove nothing: {passing}"
    unclear = {i: v.message for i, v in verdicts()["starter"].items() if not proof.is_a_sentence(v.message)}
    assert unclear == {}, "a student's first run must read as a sentence"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_every_check_passes_on_its_solution():
    failing = {exercise_id: v.message for exercise_id, v in verdicts()["solution"].items() if v.failed or not v.ran}
    assert not failing, "\n".join(f"{exercise_id}: {message}" for exercise_id, message in failing.items())


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_every_check_rejects_every_wrong_solution():
    wrongs = [wrong for wrong in proof.wrong_solutions() if wrong.exercise is not None]
    let_through = [w.stem for w in wrongs if not verdicts()[f"wrong/{w.stem}"][w.exercise.id].failed]
    assert let_through == [], f"these checks pass a classic wrong solution: {let_through}"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_rejected_wrong_solution_is_told_the_rule_it_breaks_in_a_sentence():
    unclear = {}
    for wrong in proof.wrong_solutions():
        if wrong.exercise is None:
            continue
        verdict = verdicts()[f"wrong/{wrong.stem}"][wrong.exercise.id]
        if not proof.is_a_sentence(verdict.message) or (wrong.expected_words or "\0") not in verdict.message:
            unclear[wrong.stem] = f"expected {wrong.expected_words!r} in: {verdict.message}"
    assert not unclear, "\n".join(f"{stem}: {problem}" for stem, problem in unclear.items())


# --- python manage.py exercise NN.K --watch ------------------------------------


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

    def wait_for(self, text: str, timeout: float = 60, again=None) -> None:
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
        self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        self.process.stdout.close()
        self.errors.close()


def save(path: Path, source: Path) -> None:
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.mark.slow
def test_watch_checks_again_on_every_save_until_the_file_passes(own_starters):
    exercise = get_exercise("12.2")
    mine = own_starters / exercise.starter_path.name
    watcher = Watcher()
    try:
        watcher.wait_for("12.2 failed.")  # the untouched starter, checked at once
        wrong = EXERCISES_DIR / "wrong" / "ex12_2_exactly_once__remembers_only_the_last.py"
        save(mine, wrong)
        watcher.wait_for("changed: checking again", again=lambda: save(mine, wrong))
        watcher.wait_for("not only the last one")  # the rule that wrong solution breaks
        save(mine, exercise.solution_path)
        watcher.wait_for("12.2 passed", again=lambda: save(mine, exercise.solution_path))
        assert watcher.process.wait(timeout=30) == 0
    finally:
        watcher.stop()


@pytest.mark.slow
def test_ctrl_c_stops_watching_with_a_sentence_and_no_traceback(own_starters):
    watcher = Watcher()
    try:
        watcher.wait_for("Waiting for a save of")
        watcher.process.send_signal(signal.SIGINT)
        assert watcher.process.wait(timeout=30) == 130
        watcher.wait_for("Stopped watching 12.2.", timeout=5)
        watcher.errors.seek(0)
        assert "Traceback" not in watcher.errors.read()
    finally:
        watcher.stop()
