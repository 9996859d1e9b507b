"""The kit's second proof: cosmic-ray mutates each reference solution, and its check must kill the mutants.

    python -m course.kit.mutation              every exercise, two at a time (make kit-mutation)
    python -m course.kit.mutation 04.2 05.1    only these
    python -m course.kit.mutation --record     also write each exercise's meta/mutation.toml run record
    python -m course.kit.mutation --table      the recorded runs as one table (course/kit/README.md)

cosmic-ray (a maintained mutation-testing tool) changes one thing at a time in
a copy of meta/solution.py (a comparison, a number, a boolean, an exception,
a loop, a decorator), then runs the exercise's check against the copy. A
mutant the check fails on is killed; one it passes survives. A surviving
mutant is either a hole in the check (write a test that kills it) or an
equivalent program (the change alters no behaviour the exercise asks for),
recorded in meta/mutation.toml with its reason:

    [[equivalent]]
    operator = "core/NumberReplacer"
    line = 'self.name = f"guest-{uuid.uuid4().hex[:6]}"'      # the solution's line, stripped
    mutant = 'self.name = f"guest-{uuid.uuid4().hex[:7]}"'    # the same line mutated
    why = "a guest name's length is no part of the exercise: any unique name will do"

The score is the share of mutants killed; every other mutant must be a
recorded equivalent. The same file keeps the last run's figures and the
digests of the solution and check it was run on, so a fast test knows the
record still describes them.
"""

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.kit.registry import EXERCISES, Exercise, get_exercise
from course.kit.runner import PYTEST, REPO_DIR

MUTANT_TIMEOUT = 30.0  # seconds for one mutant's check; a mutant that hangs it is killed by the timeout
RECORD = "mutation.toml"


@dataclass(frozen=True)
class Mutant:
    operator: str
    line: str  # the solution's line, stripped
    mutant: str  # the mutated line, stripped
    killed: bool


@dataclass
class Report:
    exercise: Exercise
    mutants: list[Mutant] = field(default_factory=list)
    equivalent: list[dict] = field(default_factory=list)  # recorded in meta/mutation.toml

    @property
    def killed(self) -> int:
        return sum(mutant.killed for mutant in self.mutants)

    def is_equivalent(self, mutant: Mutant) -> bool:
        return any(
            (entry["operator"], entry["line"], entry["mutant"]) == (mutant.operator, mutant.line, mutant.mutant)
            for entry in self.equivalent
        )

    @property
    def unexplained(self) -> list[Mutant]:
        """Survivors not recorded as equivalent: holes in the check."""
        return [m for m in self.mutants if not m.killed and not self.is_equivalent(m)]

    @property
    def score(self) -> float:
        return self.killed / len(self.mutants) if self.mutants else 1.0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_record(exercise: Exercise) -> dict:
    path = exercise.folder / "meta" / RECORD
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def changed_line(diff: str) -> tuple[str, str]:
    """The line a one-line mutation diff removes and the line it adds, each stripped."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def run(exercise: Exercise) -> Report:
    """Every cosmic-ray mutant of a copy of `exercise`'s solution, run against its check."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "solution.py"
        shutil.copyfile(exercise.solution_path, copy)
        test = [*PYTEST, "-x", "-q", "-p", "course.kit.proof", f"--timeout={int(MUTANT_TIMEOUT)}"]
        test.append(str(exercise.check_path))
        config = Path(tmp) / "cosmic-ray.toml"
        config.write_text(
            "[cosmic-ray]\n"
            f"module-path = {str(copy)!r}\n"
            f"timeout = {MUTANT_TIMEOUT}\n"
            "excluded-modules = []\n"
            f"test-command = {' '.join(test)!r}\n"
            "[cosmic-ray.distributor]\nname = 'local'\n",
            encoding="utf-8",
        )
        session = Path(tmp) / "session.sqlite"
        env = {**os.environ, "EXERCISE_TARGET": f"{exercise.id}={copy}", "INSPECTOR": "0"}
        env["TEST_DATABASE_NAME"] = str(Path(tmp) / "test_db.sqlite3")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        cosmic_ray = [sys.executable, "-m", "cosmic_ray.cli"]
        for step in ("init", "exec"):
            subprocess.run(
                [*cosmic_ray, step, str(config), str(session)], cwd=REPO_DIR, env=env, check=True, capture_output=True
            )
        report = Report(exercise, equivalent=read_record(exercise).get("equivalent", []))
        with use_db(str(session), WorkDB.Mode.open) as db:
            for item, result in db.completed_work_items:
                line, mutant = changed_line(result.diff or "")
                killed = result.test_outcome != TestOutcome.SURVIVED
                report.mutants.append(Mutant(item.mutations[0].operator_name, line, mutant, killed))
        return report


def write_record(report: Report) -> None:
    """meta/mutation.toml: the run's figures and digests, then the equivalents kept from before."""
    exercise = report.exercise
    lines = [
        "# cosmic-ray's run over meta/solution.py with check.py as the test suite (python -m course.kit.mutation).",
        f'solution_sha256 = "{digest(exercise.solution_path)}"',
        f'check_sha256 = "{digest(exercise.check_path)}"',
        f"mutants = {len(report.mutants)}",
        f"killed = {report.killed}",
    ]
    for entry in report.equivalent:
        lines += ["", "[[equivalent]]"]
        lines += [f"{key} = {toml_string(entry[key])}" for key in ("operator", "line", "mutant", "why")]
    (exercise.folder / "meta" / RECORD).write_text("\n".join(lines) + "\n", encoding="utf-8")


def toml_string(text: str) -> str:
    """A TOML literal string when it can be one (no quote inside), else a basic string."""
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def table(reports: list[Report]) -> str:
    rows = ["| exercise | mutants | killed | equivalent | unexplained | score |", "|---|---|---|---|---|---|"]
    for r in reports:
        equivalent = len(r.mutants) - r.killed - len(r.unexplained)
        rows.append(
            f"| {r.exercise.id} | {len(r.mutants)} | {r.killed} | {equivalent} | {len(r.unexplained)} | {r.score:.0%} |"
        )
    return "\n".join(rows)


def recorded_table() -> str:
    """Every exercise's recorded run, as course/kit/README.md shows it."""
    rows = ["| exercise | mutants | killed | equivalent | score |", "|---|---|---|---|---|"]
    for exercise in EXERCISES:
        record = read_record(exercise)
        mutants, killed = record.get("mutants", 0), record.get("killed", 0)
        score = f"{killed / mutants:.0%}" if mutants else "no mutant"
        rows.append(f"| {exercise.id} | {mutants} | {killed} | {len(record.get('equivalent', []))} | {score} |")
    total = [read_record(exercise) for exercise in EXERCISES]
    mutants, killed = sum(r.get("mutants", 0) for r in total), sum(r.get("killed", 0) for r in total)
    rows.append(f"| all | {mutants} | {killed} | {mutants - killed} | {killed / max(mutants, 1):.0%} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="exercise ids (default: every exercise)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--record", action="store_true", help="write each exercise's meta/mutation.toml")
    parser.add_argument("--table", action="store_true", help="print the recorded runs as one table, run nothing")
    args = parser.parse_args(argv)
    if args.table:
        print(recorded_table())
        return 0
    chosen = [get_exercise(i) for i in args.ids] if args.ids else list(EXERCISES)
    if None in chosen:
        parser.error(f"unknown exercise among {args.ids}")
    if importlib.util.find_spec("cosmic_ray") is None:
        parser.error("cosmic-ray is not installed: `make kit-mutation` installs it (requirements-mutation.txt)")
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        reports = list(pool.map(run, chosen))
    print(table(reports))
    failing = False
    for report in reports:
        if args.record:
            write_record(report)
        for mutant in report.unexplained:
            failing = True
            print(f"{report.exercise.id} survivor {mutant.operator}: {mutant.line!r} -> {mutant.mutant!r}")
        if report.score < 0.9:
            failing = True
            print(f"{report.exercise.id}: score {report.score:.0%} is under 90 %")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
