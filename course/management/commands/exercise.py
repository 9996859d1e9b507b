"""`python manage.py exercise [NN.K] [--watch] [--reset] [--solution] [--mistakes] [--all]`: the kit's one command.

    exercise            every exercise: id, kind (build or fix), title, status, the file you edit
                        (and, for a fix exercise, the upstream issue or docs page of its mistake)
    exercise NN.K       check your file: "passed" (exit 0), or the first failing check and a hint (exit 1)
    exercise NN.K --watch      check now, then again on every save of your file, until it passes; Ctrl-C stops
    exercise NN.K --reset      put the starter back (asks first if you changed it)
    exercise NN.K --solution   where the reference solution is, once you have tried
    exercise NN.K --mistakes   once it passes: each classic wrong solution its check rejects, as a diff and its why
    exercise --all      an instructor's table of this machine's progress
    exercise --stop     end the exercise helper (below) now, rather than after its 10 idle minutes

Listing never runs a check: a status is the last check's result for the file
as it is now. A file saved since its last check shows "changed since last
check" (run the check again), never the result of an older version.

Checks run warm: under --watch each run is a fork of one interpreter that has imported pytest, Django,
Channels and the probes (course/kit/warm.py), started by the watch (its first run waits for it) and ended
with it; and
a plain `exercise NN.K` starts, after its verdict, a background helper that later runs fork their checks
from (course/kit/helper.py), which ends after 10 idle minutes, on --stop, or when the kit changes.
EXERCISE_HELPER=0 starts none: every plain run cold. Either way the student's file and the check are
imported afresh for each run, and the output is a cold run's.

Hints follow the failing check: each check has its own ladder (meta/hints.toml),
its first step shown the first time that check fails and the next step each
time the same check fails again; `--reset` starts every ladder over.
"""

import hashlib
import os
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from course.kit import helper
from course.kit.registry import EXERCISES, digest, get_exercise, pristine_digests
from course.kit.runner import REPO_DIR, load_state, next_hint, run_check, save_state
from workshop.connection import joined


def status(exercise, state: dict, digests: dict) -> str:
    """The file's status as it is now: a result only holds for the version of the file it was checked on."""
    now = digest(exercise.starter_path)
    if now == digests.get(exercise.id):
        return "not started"
    entry = state.get(exercise.id, {})
    if "result" not in entry:
        return "not checked"
    if entry.get("digest") != now:
        return "changed since last check"
    return entry["result"]


def shown(path: Path) -> str:
    """A path as a student types it: relative to the course, when it is inside it."""
    try:
        return path.relative_to(REPO_DIR).as_posix()
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = (
        "List the exercises, or check yours: python manage.py exercise 04.1; "
        "add --watch to check again on every save until it passes. The list's status is that of "
        "your file as it is now: edited since its last check, it says 'changed since last check'."
    )
    # Not Django's system checks first: they read every URL and model of the course (about a quarter of a
    # CPU-second of each run) and would stop a student's check over a lesson they have not reached; the
    # check itself runs in a process of its own, which sets Django up (course/kit/runner.py).
    # `python manage.py doctor` runs them, as one line of its report.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("exercise_id", nargs="?", help="NN.K, e.g. 04.1")
        parser.add_argument("--watch", action="store_true", help="check again on every save until it passes")
        parser.add_argument("--reset", action="store_true", help="restore the starter file")
        parser.add_argument("--yes", action="store_true", help="with --reset: do not ask")
        parser.add_argument("--solution", action="store_true", help="show where the solution is (after a try)")
        parser.add_argument(
            "--mistakes", action="store_true", help="after a pass: the classic wrong solutions its check rejects"
        )
        parser.add_argument("--all", action="store_true", help="progress table for an instructor")
        parser.add_argument(
            "--stop",
            action="store_true",
            help="end the background helper that keeps checks warm (course/kit/helper.py)",
        )

    def handle(
        self, *args, exercise_id=None, watch=False, reset=False, yes=False, solution=False, all=False, **options
    ):
        if options["stop"]:
            return self.stop_helper()
        if exercise_id is None:
            return self.list_exercises(detailed=all)
        exercise = get_exercise(exercise_id)
        if exercise is None:
            raise CommandError(f"no exercise {exercise_id!r}: `python manage.py exercise` lists them (ids like 04.1)")
        if reset:
            return self.reset(exercise, yes)
        if solution:
            return self.solution(exercise)
        if options["mistakes"]:
            return self.mistakes(exercise)
        if watch:
            return self.watch(exercise)
        warm = helper.Helper() if helper.enabled() else None
        passed = self.check_exercise(exercise, warm)
        if warm is not None and warm.gone:  # none answered: this run went cold; the next one need not
            helper.start(warm.key)
        if not passed:
            raise SystemExit(1)

    def stop_helper(self) -> None:
        stopped = helper.stop()
        pids = ", ".join(map(str, stopped))
        self.stdout.write(
            f"Stopped the exercise helper (pid {pids})." if stopped else "No exercise helper was running."
        )

    def list_exercises(self, detailed: bool) -> None:
        state, digests = load_state(), pristine_digests()
        rows = [(e, status(e, state, digests)) for e in EXERCISES]
        if detailed:
            names = ("passing", "failing", "changed since last check", "not started", "not checked")
            self.stdout.write("  ".join(f"{name}: {sum(1 for _, s in rows if s == name)}" for name in names))
        width = max(len(e.title) for e in EXERCISES)
        for e, state_text in rows:
            line = f"{e.id}  {e.kind:<5}  {e.title:<{width}}  {state_text:<24}  {shown(e.starter_path)}"
            self.stdout.write(line + (f"  (upstream: {e.upstream})" if e.upstream else ""))

    def check_exercise(self, exercise, warm=None) -> bool:
        """Run the check once (a fork of `warm`, if given) and say what it found; True if it passed."""
        state = load_state()
        entry = state.setdefault(exercise.id, {"hints": {}})
        checked = digest(exercise.starter_path)  # the version this result is about
        outcome = run_check(exercise, warm=warm)
        entry["tried"] = True
        entry["digest"] = checked
        if outcome.passed:
            entry["result"] = "passing"
            save_state(state)
            self.stdout.write(self.style.SUCCESS(f"{exercise.id} passed: {outcome.proved}."))
            self.stdout.write(f"What others got wrong here: `{exercise.command} --mistakes`.")
            self.tell_the_workshop(exercise, outcome)
            return True
        entry["result"] = "failing"
        hint = next_hint(entry, exercise, outcome.failed_test, outcome.message)
        save_state(state)
        lines = [f"{exercise.id} failed."]
        if outcome.failed_check:
            lines.append(f"The check that failed: {outcome.failed_check}")
        lines.append(f"What it says: {outcome.message}")
        if outcome.traceback:
            lines += ["Where, in your code:", outcome.traceback]
        if hint is not None:
            step, text = hint
            lines.append(f"Hint {step} of {len(exercise.hints_for(outcome.failed_test))}: {text}")
        lines.append(f"Your file: {shown(exercise.starter_path)}; run `{exercise.command}` again.")
        self.stdout.write("\n".join(lines))
        self.tell_the_workshop(exercise, outcome)
        return False

    def tell_the_workshop(self, exercise, outcome) -> None:
        """Lesson 17: once `workshop join` saved a connection, the instructor's room hears each result (workshop/client.py).

        The instructor's messages this laptop missed come back with the answer, printed after the result.
        """
        if joined():  # not joined: nothing imported, nothing sent
            from workshop.client import report_check

            report_check(exercise.id, outcome, self.stderr, self.stdout)

    def watch(self, exercise) -> None:
        """Check now, then on every save of the student's file, until it passes; Ctrl-C ends it quietly.

        Each check is a fork of one warm interpreter, this watch's own (ended with it), made again if the
        kit changes or it is gone.
        """
        from watchfiles import watch

        path = exercise.starter_path.resolve()
        self.stdout.write(f"Watching {shown(exercise.starter_path)}: every save checks it again; Ctrl-C stops.")
        if joined():  # lesson 17: the instructor's messages appear in this terminal
            from workshop.client import Listener

            Listener(self.stdout, self.stderr).start()
        warm = WarmInterpreter()
        try:
            if self.check_exercise(exercise, warm.fresh()):
                return
            self.stdout.write(f"Waiting for a save of {shown(exercise.starter_path)}; Ctrl-C stops.")
            # The folder, not the file: many editors save by writing a new file and renaming it.
            for _ in watch(path.parent, watch_filter=lambda change, changed: Path(changed) == path):
                self.stdout.write(f"\n{shown(exercise.starter_path)} changed: checking again.")
                if self.check_exercise(exercise, warm.fresh()):
                    return
                self.stdout.write(f"Waiting for a save of {shown(exercise.starter_path)}; Ctrl-C stops.")
        except KeyboardInterrupt:
            self.stdout.write(f"\nStopped watching {exercise.id}.")
            raise SystemExit(130) from None
        finally:
            warm.close()

    def reset(self, exercise, yes: bool) -> None:
        digests = pristine_digests()
        if digest(exercise.starter_path) == digests.get(exercise.id):
            self.stdout.write(f"{shown(exercise.starter_path)} is already the starter.")
            return
        if not yes:
            answer = input(f"Throw away your changes to {shown(exercise.starter_path)}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                self.stdout.write("Nothing changed.")
                return
        self.stdout.write(f"Restored {restore_starter(exercise, digests[exercise.id])}.")
        state = load_state()
        state.pop(exercise.id, None)
        save_state(state)

    def solution(self, exercise) -> None:
        if not load_state().get(exercise.id, {}).get("tried"):
            raise CommandError(
                f"try it first: edit the starter and run `{exercise.command}`; then the solution opens up"
            )
        self.stdout.write(f"The solution: {shown(exercise.solution_path)} (its docstring says why).")

    def mistakes(self, exercise) -> None:
        """What others got wrong here: each mistake its check rejects, once the student's own file passes."""
        if status(exercise, load_state(), pristine_digests()) != "passing":
            raise CommandError(f"pass it first: `{exercise.command}`; then --mistakes shows what others got wrong here")
        found = exercise.mistakes
        self.stdout.write(f"{exercise.id}: {len(found)} classic mistakes, each rejected by its check.")
        for number, mistake in enumerate(found, 1):
            diff = mistake.path.read_text(encoding="utf-8").split("\n", 2)[2]  # without its two comment lines
            self.stdout.write(f"\n{number}. {mistake.why}\n   ({shown(mistake.path)})\n{diff.rstrip()}")


class WarmInterpreter:
    """A watch's warm interpreter (course/kit/warm.py): pytest, Django, Channels and the probes imported once.

    Started with the watch, while its first check waits for it; made again when the kit's source or its
    packages change (helper.kit_digest). One that died is not made again for the same kit (it would die
    again, each save paying for its start and then a cold run): the runs go cold. None where there is no
    fork (Windows): each run cold.
    """

    def __init__(self):
        self.runs, self.key, self.died = None, None, None

    def fresh(self):
        """The interpreter to fork this run from, as the kit is now: None for a cold run."""
        if not hasattr(os, "fork"):
            return None
        key = helper.kit_digest()
        if self.runs is not None and not self.runs.alive():
            self.died = self.key
        if self.runs is not None and (key != self.key or not self.runs.alive()):
            self.close()
        if key == self.died:
            return None
        if self.runs is None:
            from course.kit.warm import student_runs

            self.runs, self.key = student_runs(), key
        return self.runs

    def close(self) -> None:
        if self.runs is not None:
            self.runs.close()
            self.runs = None


def restore_starter(exercise, pristine: str) -> str:
    """Write back the starter as shipped: the newest version in git history whose digest is the pristine one."""
    shipped = exercise.shipped_starter_path
    if shipped != exercise.starter_path and digest(shipped) == pristine:  # the student works on a copy elsewhere
        exercise.starter_path.write_bytes(shipped.read_bytes())
        return shown(exercise.starter_path)
    relative = shipped.relative_to(REPO_DIR).as_posix()
    commits = subprocess.run(
        ["git", "log", "--format=%H", "--", relative], cwd=REPO_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    for commit in commits:
        blob = subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=REPO_DIR, capture_output=True, check=False)
        if blob.returncode == 0 and hashlib.sha256(blob.stdout).hexdigest() == pristine:
            exercise.starter_path.write_bytes(blob.stdout)
            return shown(exercise.starter_path)
    raise CommandError(f"no copy of the original {relative} in git history: `git checkout -- {relative}`")
