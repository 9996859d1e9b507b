"""The student's loop: from a save to the verdict under `manage.py exercise NN.K --watch`, for every exercise.

For each exercise, in a folder of student files of its own (EXERCISES_STARTERS), the student's file
holds the exercise's first kept mistake (meta/mistakes/, by name) when `exercise NN.K --watch` starts:
its first check is the **cold first run** (from the command's start to its verdict: Python, Django and
the watch's warm interpreter start, then the check). The same file is then saved again (the verdict on
the mistake), then the solution is saved (the verdict on the solution; the watch then ends): each of
these two is timed **from the save to the verdict's line** in the watch's output, the save that
watchfiles saw (a save made before the watch was watching is made again, and timed from the last one).
Every time is divided by a bare `import django; django.setup()` process (suite.baseline_once), the mean
of one timed just before that exercise's watch and one just after, so load that comes and goes falls on both.

Budgets (DESIGN.md, the student's loop): over every exercise's two saves, the median at most 1x and the
maximum at most 3x; the cold first run at most 3x (its median; its maximum is shown).

    .venv/bin/python -m bench.speed.loop [NN.K ...]   # this section alone, for some exercises or all (JSON:
                                                      # bench/speed/results-loop-<time>.json)
"""

import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.speed.suite import LAPTOP_ENV, baseline_once
from course.kit.proof import apply_mistake
from course.kit.registry import EXERCISES, STARTERS_VARIABLE
from harness.patience import COMMAND

REPO_DIR = Path(__file__).resolve().parents[2]
SAVE_RATIO, MAX_RATIO, COLD_RATIO = 1.0, 3.0, 3.0  # the budgets, as ratios to a bare django.setup()
# Seconds of silence after a save, and it is made again: it came before the watch was watching. Not less: a save the
# watch saw late, then saw again, would be a second check after the verdict, out of step with the next save.
AGAIN_AFTER = 5.0
SLOWEST_SHOWN = 8


class Watch:
    """`manage.py exercise NN.K --watch` for one exercise, its output lines read as they come, with their times."""

    def __init__(self, exercise, env: dict[str, str]):
        self.exercise, self.lines = exercise, queue.Queue()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "exercise", exercise.id, "--watch"],
            cwd=REPO_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line))
        self.lines.put((time.perf_counter(), None))

    def verdict(self) -> tuple[float, str]:
        """When the next verdict line came ("NN.K passed" or "NN.K failed."), and which it was."""
        while True:
            at, line = self.lines.get(timeout=COMMAND)
            if line is None:
                raise RuntimeError(f"exercise {self.exercise.id} --watch ended before its verdict")
            if line.startswith((f"{self.exercise.id} passed", f"{self.exercise.id} failed.")):
                return at, line.split(":", 1)[0].strip()

    def saved(self, path: Path, source: Path) -> tuple[float, str]:
        """Save `source` as `path`: seconds from the save the watch saw to its verdict, and the verdict."""
        saves = []
        for _ in range(int(COMMAND / AGAIN_AFTER)):
            saves.append(time.perf_counter())
            path.write_bytes(source.read_bytes())
            seen = self.line_with("changed: checking again", AGAIN_AFTER)
            if seen is not None:
                at, verdict = self.verdict()
                return at - max(save for save in saves if save <= seen), verdict
        raise RuntimeError(f"exercise {self.exercise.id} --watch never saw a save")

    def line_with(self, text: str, quiet: float) -> float | None:
        """When the next line holding `text` came, or None once `quiet` s passed without any line."""
        while True:
            try:
                at, line = self.lines.get(timeout=quiet)
            except queue.Empty:
                return None
            if line is None:
                raise RuntimeError(f"exercise {self.exercise.id} --watch ended before it saw a save")
            if text in line:
                return at

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def one(exercise, folder: Path) -> dict:
    """The exercise's three times and the baseline beside them, in seconds."""
    before = baseline_once()
    mistake = exercise.mistakes[0]
    wrong = apply_mistake(exercise, mistake, folder, "wrong.py")
    mine = folder / exercise.folder.name / exercise.file
    mine.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wrong, mine)
    env = {**LAPTOP_ENV, STARTERS_VARIABLE: str(folder), "PYTHONUNBUFFERED": "1", "EXERCISE_HELPER": "0"}
    env |= {"EXERCISES_STATE": str(folder / "state.json"), "WORKSHOP_FILE": str(folder / "no-workshop.json")}
    watch = Watch(exercise, env)
    try:
        at, cold_verdict = watch.verdict()
        cold = at - watch.started
        on_mistake, mistake_verdict = watch.saved(mine, wrong)
        on_solution, solution_verdict = watch.saved(mine, exercise.solution_path)
    finally:
        watch.stop()
    baseline = (before + baseline_once()) / 2
    return {
        "exercise": exercise.id,
        "mistake": mistake.name,
        "baseline_s": round(baseline, 3),
        "cold_first_s": round(cold, 2),
        "mistake_s": round(on_mistake, 2),
        "solution_s": round(on_solution, 2),
        "cold_ratio": round(cold / baseline, 2),
        "mistake_ratio": round(on_mistake / baseline, 2),
        "solution_ratio": round(on_solution / baseline, 2),
        "verdicts": ", ".join(
            verdict.split()[-1].rstrip(".") for verdict in (cold_verdict, mistake_verdict, solution_verdict)
        ),
    }


def summary(rows: list[dict]) -> dict:
    measured = [row for row in rows if "error" not in row]
    saves = [ratio for row in measured for ratio in (row["mistake_ratio"], row["solution_ratio"])]
    colds = [row["cold_ratio"] for row in measured]
    slowest = sorted(measured, key=lambda row: max(row["mistake_ratio"], row["solution_ratio"]), reverse=True)
    if not saves:
        return {"exercises": len(rows), "within": False, "errors": [row["exercise"] for row in rows]}
    return {
        "exercises": len(rows),
        "save_median_ratio": round(statistics.median(saves), 2),
        "save_max_ratio": max(saves),
        "cold_median_ratio": round(statistics.median(colds), 2),
        "cold_max_ratio": max(colds),
        "within": statistics.median(saves) <= SAVE_RATIO and max(saves) <= MAX_RATIO
        and statistics.median(colds) <= COLD_RATIO and len(measured) == len(rows),
        "slowest": [row["exercise"] for row in slowest[:SLOWEST_SHOWN]],
        # A mistake told wrongly would make its figures meaningless: each row must read failed, failed, passed.
        "wrong_verdicts": [row["exercise"] for row in measured if row["verdicts"] != "failed, failed, passed"],
        "errors": [row["exercise"] for row in rows if "error" in row],
    }  # fmt: skip


def run(ids: list[str] | None = None) -> dict:
    """Every exercise's (or `ids`') loop under --watch against a bare django.setup() beside it."""
    chosen = [exercise for exercise in EXERCISES if not ids or exercise.id in ids]
    rows, load = [], round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        for exercise in chosen:
            print(f"... {exercise.id}", file=sys.stderr, flush=True)
            folder = Path(tmp, exercise.folder.name)
            folder.mkdir()
            try:
                rows.append(one(exercise, folder))
            except (RuntimeError, queue.Empty) as error:  # one exercise's broken loop is its row, not the end
                rows.append({"exercise": exercise.id, "error": str(error) or "no verdict within COMMAND"})
    return {
        "load_average_at_start": load,
        "budgets": {"save_median": SAVE_RATIO, "save_max": MAX_RATIO, "cold_first": COLD_RATIO},
        "summary": summary(rows),
        "rows": rows,
    }


if __name__ == "__main__":
    import json
    from datetime import UTC, datetime

    from bench.common import report

    results = run(sys.argv[1:])
    print(report.section("loop", results))
    written = REPO_DIR / f"bench/speed/results-loop-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    written.write_text(json.dumps(results, indent=2) + "\n")
    print(f"JSON written to {written}")
