"""`python manage.py exercise [NN.K] [--reset] [--solution] [--all]`: the exercise kit's one command.

    exercise            every exercise: id, title, the file you edit, status
    exercise NN.K       check your file: "passed" (exit 0), or the first failing check and a hint (exit 1)
    exercise NN.K --reset      put the starter back (asks first if you changed it)
    exercise NN.K --solution   where the reference solution is, once you have tried
    exercise --all      an instructor's table of this machine's progress

Listing never runs a check: a status is the file's state plus the last check's result.
"""

import hashlib
import subprocess

from django.core.management.base import BaseCommand, CommandError

from exercises.registry import EXERCISES, digest, get_exercise, pristine_digests
from exercises.runner import REPO_DIR, load_state, run_check, save_state


def status(exercise, state: dict, digests: dict) -> str:
    if digest(exercise.starter_path) == digests.get(exercise.id):
        return "not started"
    return state.get(exercise.id, {}).get("result", "not checked")


class Command(BaseCommand):
    help = "List the exercises, or check yours: python manage.py exercise 04.1"

    def add_arguments(self, parser):
        parser.add_argument("exercise_id", nargs="?", help="NN.K, e.g. 04.1")
        parser.add_argument("--reset", action="store_true", help="restore the starter file")
        parser.add_argument("--yes", action="store_true", help="with --reset: do not ask")
        parser.add_argument("--solution", action="store_true", help="show where the solution is (after a try)")
        parser.add_argument("--all", action="store_true", help="progress table for an instructor")

    def handle(self, *args, exercise_id=None, reset=False, yes=False, solution=False, all=False, **options):
        if exercise_id is None:
            return self.list_exercises(detailed=all)
        exercise = get_exercise(exercise_id)
        if exercise is None:
            raise CommandError(f"no exercise {exercise_id!r}: `python manage.py exercise` lists them (ids like 04.1)")
        if reset:
            return self.reset(exercise, yes)
        if solution:
            return self.solution(exercise)
        return self.check_exercise(exercise)

    def list_exercises(self, detailed: bool) -> None:
        state, digests = load_state(), pristine_digests()
        rows = [
            (e.id, e.title, e.starter_path.relative_to(REPO_DIR).as_posix(), status(e, state, digests))
            for e in EXERCISES
        ]
        if detailed:
            counts = {
                s: sum(1 for row in rows if row[3] == s) for s in ("passing", "failing", "not started", "not checked")
            }
            self.stdout.write("  ".join(f"{name}: {count}" for name, count in counts.items()))
        width = max(len(row[1]) for row in rows)
        for exercise_id, title, path, state_text in rows:
            self.stdout.write(f"{exercise_id}  {title:<{width}}  {state_text:<11}  {path}")

    def check_exercise(self, exercise) -> None:
        state = load_state()
        entry = state.setdefault(exercise.id, {"hints": 0})
        outcome = run_check(exercise)
        entry["tried"] = True
        if outcome.passed:
            entry["result"] = "passing"
            save_state(state)
            self.stdout.write(self.style.SUCCESS(f"{exercise.id} passed: every check holds."))
            return
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
        lines.append(f"Your file: {exercise.starter_path.relative_to(REPO_DIR)}; run `{exercise.command}` again.")
        self.stdout.write("\n".join(lines))
        raise SystemExit(1)

    def reset(self, exercise, yes: bool) -> None:
        digests = pristine_digests()
        if digest(exercise.starter_path) == digests.get(exercise.id):
            self.stdout.write(f"{exercise.starter_path.relative_to(REPO_DIR)} is already the starter.")
            return
        if not yes:
            answer = input(f"Throw away your changes to {exercise.starter_path.relative_to(REPO_DIR)}? [y/N] ")
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
    relative = exercise.starter_path.relative_to(REPO_DIR).as_posix()
    commits = subprocess.run(
        ["git", "log", "--format=%H", "--", relative], cwd=REPO_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    for commit in commits:
        blob = subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=REPO_DIR, capture_output=True, check=False)
        if blob.returncode == 0 and hashlib.sha256(blob.stdout).hexdigest() == pristine:
            exercise.starter_path.write_bytes(blob.stdout)
            return relative
    raise CommandError(f"no copy of the original {relative} in git history: `git checkout -- {relative}`")
