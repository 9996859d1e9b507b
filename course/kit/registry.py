"""Every exercise of the kit, read from its folder's exercise.toml and meta/hints.toml (`manage.py exercise`, the proof)."""

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exercises.targets import EXERCISES_DIR, STARTERS_VARIABLE, TARGET_VARIABLE, student_file  # noqa: F401

# NN_K_slug: the folder's name sorts by exercise number.
FOLDER_GLOB = "[0-9][0-9]_[0-9]*_*"


@dataclass(frozen=True)
class Mistake:
    """A classic wrong solution: a diff against the reference solution, with its why on top."""

    path: Path
    why: str  # the first line: what the mistake is, and what it breaks
    says: str  # words the check's message must contain when it rejects this mistake

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Exercise:
    id: str  # "NN.K": lesson NN, exercise K
    slug: str
    folder: Path
    title: str
    file: str  # the file the student edits, inside the folder
    kind: str  # "build", or "fix": the starter reproduces a real mistake documented at `upstream`
    starter_sha256: str  # the file as shipped: "not started" while the student's file has it
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # check test name -> its ladder (meta/hints.toml)
    route: str | None = None  # where the lesson page can poke the student's consumer in development
    upstream: str | None = None
    # Correct solutions in other styles (meta/alternatives/*.py, sorted): the proof wants the check to pass each.
    alternatives: tuple[Path, ...] = ()

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def starter_path(self) -> Path:
        """The student's file (a test's own copy when EXERCISES_STARTERS is set)."""
        return student_file(self.id)

    @property
    def shown_file(self) -> str:
        """The student's file as they type it from the course's folder: exercises/04_2_presence/presence.py."""
        return f"exercises/{self.folder.name}/{self.file}"

    @property
    def shipped_starter_path(self) -> Path:
        return self.folder / self.file

    @property
    def solution_path(self) -> Path:
        return self.folder / "meta" / "solution.py"

    @property
    def check_path(self) -> Path:
        return self.folder / "check.py"

    @property
    def mistakes(self) -> tuple[Mistake, ...]:
        return tuple(read_mistake(path) for path in sorted((self.folder / "meta" / "mistakes").glob("*.diff")))

    @property
    def command(self) -> str:
        return f"python manage.py exercise {self.id}"

    def hints_for(self, check: str | None) -> tuple[str, ...]:
        """The ladder of hints for one check (a test's function name), its own or the battery's; none outside both."""
        from exercises.battery import ladders

        return self.hints.get(check or "", ()) or ladders().get(check or "", ())


def read_mistake(path: Path) -> Mistake:
    """A mistake's diff: line 1 `# <why>`, line 2 `# The check says: "<words>"`, then the unified diff."""
    lines = path.read_text(encoding="utf-8").splitlines()
    says = lines[1].removeprefix('# The check says: "').removesuffix('"') if len(lines) > 1 else ""
    return Mistake(path, lines[0].removeprefix("# ") if lines else "", says)


def read_exercise(folder: Path) -> Exercise:
    data = tomllib.loads((folder / "exercise.toml").read_text(encoding="utf-8"))
    # The hints live apart from the student's file, with the solution: a check's test name -> its ladder.
    hints = folder / "meta" / "hints.toml"
    ladders = tomllib.loads(hints.read_text(encoding="utf-8")) if hints.exists() else {}
    number, k, slug = folder.name.split("_", 2)
    return Exercise(
        id=f"{number}.{k}",
        slug=slug,
        folder=folder,
        title=data["title"],
        file=data["file"],
        kind=data["kind"],
        starter_sha256=data["starter_sha256"],
        hints={check: tuple(ladder) for check, ladder in ladders.items()},
        route=data.get("route"),
        upstream=data.get("upstream"),
        alternatives=tuple(sorted((folder / "meta" / "alternatives").glob("*.py"))),
    )


def sort_key(folder: Path) -> tuple[int, int]:
    number, k, _ = folder.name.split("_", 2)
    return int(number), int(k)


EXERCISES: tuple[Exercise, ...] = tuple(
    read_exercise(folder) for folder in sorted(EXERCISES_DIR.glob(FOLDER_GLOB), key=sort_key)
)


def get_exercise(exercise_id: str) -> Exercise | None:
    return next((exercise for exercise in EXERCISES if exercise.id == exercise_id), None)


def pristine_digests() -> dict[str, str]:
    """Each exercise's starter as shipped, by its sha256."""
    return {exercise.id: exercise.starter_sha256 for exercise in EXERCISES}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
