"""Which file a check drives, and where the kit keeps the exercises: no pytest, no Channels, no course.

A check gets these through exercises/probes/; the course's own code (the kit's
registry and runner, the live exercise routes in a Daphne) imports them from
here, so a server process never loads pytest or the probes to find a student's file.
"""

import os
import sys
import tomllib
from functools import cache
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

EXERCISES_DIR = Path(__file__).resolve().parent
REPO_DIR = EXERCISES_DIR.parent
# Which file a check drives: unset or "starter", "solution", or "NN.K=<path>" pairs (the kit's proof).
TARGET_VARIABLE = "EXERCISE_TARGET"
# Where the student's own files are: the exercise folders, unless EXERCISES_STARTERS names another
# folder holding <NN_K_slug>/<file> copies (the kit's tests, so they never touch the shipped files).
STARTERS_VARIABLE = "EXERCISES_STARTERS"
PROOF_VARIABLE = "EXERCISE_PROOF_LOG"  # the kit's runner names a file; each probe adds a line to it

# The files target() imported in this process: the code a LoopLag may blame.
CHECKED_FILES: set[str] = set()


class FromSource(SourceFileLoader):
    """Compiles the student's file from its source every time, never from a .pyc, and writes none.

    Python trusts a .pyc whose recorded mtime (to the second) and size match the file's, so an
    edit saved within the second that keeps the size (a 1 for a 2) would run the old code.
    """

    def get_code(self, fullname):
        return self.source_to_code(self.get_data(self.path), self.path)


def spec_of(name: str, path: Path):
    """The import spec of the file under check, loaded by FromSource."""
    return spec_from_file_location(name, path, loader=FromSource(name, str(path)))


@cache
def folder(exercise_id: str) -> Path:
    """The exercise's folder: exercises/04_2_presence/ for "04.2"."""
    number, k = exercise_id.split(".")
    found = sorted(EXERCISES_DIR.glob(f"{number}_{k}_*/exercise.toml"))
    if len(found) != 1:
        raise LookupError(f"no exercise {exercise_id} under {EXERCISES_DIR}")
    return found[0].parent


def student_file(exercise_id: str) -> Path:
    """The file the student edits for this exercise (its exercise.toml names it)."""
    home = folder(exercise_id)
    name = tomllib.loads((home / "exercise.toml").read_text(encoding="utf-8"))["file"]
    starters = os.environ.get(STARTERS_VARIABLE)
    return Path(starters) / home.name / name if starters else home / name


def target_path(exercise_id: str) -> Path:
    """The file EXERCISE_TARGET chooses for this exercise."""
    chosen = os.environ.get(TARGET_VARIABLE) or "starter"
    if chosen == "starter":
        return student_file(exercise_id)
    if chosen == "solution":
        return folder(exercise_id) / "meta" / "solution.py"
    pairs = dict(part.split("=", 1) for part in chosen.split(",") if "=" in part)
    if exercise_id not in pairs:
        raise LookupError(f"{TARGET_VARIABLE}={chosen} names no file for exercise {exercise_id}")
    return Path(pairs[exercise_id])


def target(exercise_id: str) -> ModuleType:
    """The module under check, imported from its file once per process (as `exercise_NN_K`)."""
    path = target_path(exercise_id)
    name = "exercise_" + exercise_id.replace(".", "_")
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__file__", None) == str(path):
        return module
    spec = spec_of(name, path)
    module = module_from_spec(spec)
    sys.modules[name] = module
    CHECKED_FILES.add(str(path))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]  # a file that does not import is tried afresh next time
        raise
    return module
