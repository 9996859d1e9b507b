"""`python manage.py exercise [NN.K] [--watch] [--reset] [--solution] [--all]`: the exercise kit's one command.

    exercise            every exercise: id, kind (build or fix), title, status, the file you edit
                        (and, for a fix exercise, the upstream issue or docs page of its mistake)
    exercise NN.K       check your file: "passed" (exit 0), or the first failing check and a hint (exit 1)
    exercise NN.K --watch      check now, then again on every save of your file, until it passes; Ctrl-C stops
    exercise NN.K --reset      put the starter back (asks first if you changed it)
    exercise NN.K --solution   where the reference solution is, once you have tried
    exercise --all      an instructor's table of this machine's progress

Listing never runs a check: a status is the last check's result for the file
as it is now. A file saved since its last check shows "changed since last
check" (run the check again), never the result of an older version.
"""

import hashlib
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.registry import EXERCISES, digest, get_exercise, pristine_digests
from exercises.runner import REPO_DIR, load_state, run_check, save_state


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

    def add_arguments(self, parser):
        parser.add_argument("exercise_id", nargs="?", help="NN.K, e.g. 04.1")
        parser.add_argument("--watch", action="store_true", help="check again on every save until it passes")
        parser.add_argument("--reset", action="store_true", help="restore the starter file")
        parser.add_argument("--yes", action="store_true", help="with --reset: do not ask")
        parser.add_argument("--solution", action="store_true", help="show where the solution is (after a try)")
        parser.add_argument("--all", action="store_true", help="progress table for an instructor")

    def handle(self, *args, exercise_id=None, watch=False, reset=False, yes=False, solution=False, all=False, **options):
        if exercise_id is None:
            return self.list_exercises(detailed=all)
        exercise = get_exercise(exercise_id)
        if exercise is None:
            raise CommandError(f"no exercise {exercise_id!r}: `python manage.py exercise` lists them (ids like 04.1)")
        if reset:
            return self.reset(exercise, yes)
        if solution:
            return self.solution(exercise)
        if watch:
            return self.watch(exercise)
        if not self.check_exercise(exercise):
            raise SystemExit(1)

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

    def check_exercise(self, exercise) -> bool:
        """Run the check once and say what it found; True if it passed."""
        state = load_state()
        entry = state.setdefault(exercise.id, {"hints": 0})
        checked = digest(exercise.starter_path)  # the version this result is about
        outcome = run_check(exercise)
        entry["tried"] = True
        entry["digest"] = checked
        if outcome.passed:
            entry["result"] = "passing"
            save_state(state)
            self.stdout.write(self.style.SUCCESS(f"{exercise.id} passed: every check holds."))
            return True
        entry["result"] = "failing"
        hint_number = min(entry.get("hints", 0), len(exercise.hints) - 1)
        entry["hints"] = hint_number + 1
        save_state(state)
        lines = [f"{exercise.id} failed."]
        if outcome.failed_check:
            lines.append(f"The check that failed: {outcome.failed_check}")
        lines.append(f"What it says: {outcome.message}")
        if outcome.traceback:
            lines += ["Where, in your code:", outcome.traceback]
        lines.append(f"Hint {hint_number + 1} of {len(exercise.hints)}: {exercise.hints[hint_number]}")
        lines.append(f"Your file: {shown(exercise.starter_path)}; run `{exercise.command}` again.")
        self.stdout.write("\n".join(lines))
        return False

    def watch(self, exercise) -> None:
        """Check now, then on every save of the student's file, until it passes; Ctrl-C ends it quietly."""
        from watchfiles import watch

        path = exercise.starter_path.resolve()
        self.stdout.write(f"Watching {shown(exercise.starter_path)}: every save checks it again; Ctrl-C stops.")
        try:
            if self.check_exercise(exercise):
                return
            self.stdout.write(f"Waiting for a save of {shown(exercise.starter_path)}; Ctrl-C stops.")
            # The folder, not the file: many editors save by writing a new file and renaming it.
            for _ in watch(path.parent, watch_filter=lambda change, changed: Path(changed) == path):
                self.stdout.write(f"\n{shown(exercise.starter_path)} changed: checking again.")
                if self.check_exercise(exercise):
                    return
                self.stdout.write(f"Waiting for a save of {shown(exercise.starter_path)}; Ctrl-C stops.")
        except KeyboardInterrupt:
            self.stdout.write(f"\nStopped watching {exercise.id}.")
            raise SystemExit(130) from None

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
        self.stdout.write(f"The solution: {exercise.solution_path.relative_to(REPO_DIR)} (its docstring says why).")


def restore_starter(exercise, pristine: str) -> str:
    """Write back the starter as shipped: the newest version in git history whose digest is the pristine one."""
    relative = exercise.shipped_starter_path.relative_to(REPO_DIR).as_posix()
    commits = subprocess.run(
        ["git", "log", "--format=%H", "--", relative], cwd=REPO_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    for commit in commits:
        blob = subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=REPO_DIR, capture_output=True, check=False)
        if blob.returncode == 0 and hashlib.sha256(blob.stdout).hexdigest() == pristine:
            exercise.starter_path.write_bytes(blob.stdout)
            return shown(exercise.starter_path)
    raise CommandError(f"no copy of the original {relative} in git history: `git checkout -- {relative}`")
