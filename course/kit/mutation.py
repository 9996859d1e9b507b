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
digests of the solution, the check and the probe and battery modules the check
imports, transitively (probes_sha256), so a fast test knows the record still
describes them: after a change to a probe, record again each exercise whose
check runs it.
"""

import argparse
import functools
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


def parsed(path: Path):
    """The module at `path` parsed, once per version of the file: the 58 checks import the same probes."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _parsed(path: Path, mtime_ns: int, size: int):
    import ast

    return ast.parse(path.read_text(encoding="utf-8"))


def modules_run_by(check: Path) -> list[Path]:
    """The files of exercises/ a check runs: check.py, and each probe or battery module it imports, transitively.

    A check names what it uses (`from exercises.probes import members`, `from exercises.probes.rooms import ...`,
    `from .probes import ...` for the probes only it runs, in its own folder, the battery's lines at its end);
    the package's __init__ re-exports each shared probe from the module that defines it, so a name leads to
    its module, and each module's own imports lead on. exercises/conftest.py and
    exercises/targets.py run for every check, and harness/patience.py gives every deadline.
    """
    exercises = REPO_DIR / "exercises"
    exported = defining_modules(exercises / "probes" / "__init__.py")
    found = {check, exercises / "conftest.py", exercises / "targets.py", REPO_DIR / "harness" / "patience.py"}
    queue = [check]
    while queue:
        importer = queue.pop()
        for module in imported_modules(importer, exported):
            # `from .probes import ...`: a probe that serves this one check, in the check's own folder
            within = importer.parent / Path(*module[1:].split(".")) if module.startswith(".") else None
            path = (within or REPO_DIR / Path(*module.split("."))).with_suffix(".py")
            if path.is_file() and path not in found:
                found.add(path)
                queue.append(path)
    if any("battery" in path.parts for path in found):  # the behaviours' hint ladders and declared kinds
        found.add(exercises / "battery" / "__init__.py")
    return sorted(found)


def defining_modules(init: Path) -> dict[str, str]:
    """exercises.probes' re-exports: each name to the module that defines it."""
    import ast

    names = {}
    for node in parsed(init).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("exercises."):
            names.update({alias.asname or alias.name: node.module for alias in node.names})
    return names


def imported_modules(path: Path, exported: dict[str, str]) -> set[str]:
    """The exercises.* and harness.* modules `path` imports (a name from exercises.probes: its defining module).

    A module of the importer's own folder (`from .probes import ...`) is given with its leading dot.
    """
    import ast

    modules = set()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 1:  # this check's own probes.py
            modules.add(f".{node.module}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "exercises.probes":  # a re-exported name, or a submodule (`import quiet`)
                modules |= {exported.get(a.name, f"exercises.probes.{a.name}") for a in node.names}
            elif node.module.startswith(("exercises.", "harness.")):
                modules.add(node.module)
                modules |= {f"{node.module}.{a.name}" for a in node.names}  # `from exercises.probes import quiet`
        elif isinstance(node, ast.Import):
            modules |= {a.name for a in node.names if a.name.startswith(("exercises.", "harness."))}
    return modules


def run_digest(exercise: Exercise) -> str:
    """One digest of modules_run_by(its check) but check.py itself, by path and content: probes_sha256."""
    combined = hashlib.sha256()
    for path in modules_run_by(exercise.check_path):
        if path != exercise.check_path:
            combined.update(f"{path.relative_to(REPO_DIR)}\0{digest(path)}\n".encode())
    return combined.hexdigest()


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
        f'probes_sha256 = "{run_digest(exercise)}"  # the probes and battery modules check.py imports, transitively',
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
