"""What an exercise declares for the battery (its exercise.toml), read for the check that is running."""

import tomllib
from functools import cache
from pathlib import Path


@cache
def declared(folder: Path) -> dict:
    """The exercise's exercise.toml: `builds`, and its [battery] table (an empty one if it has none)."""
    data = tomllib.loads((folder / "exercise.toml").read_text(encoding="utf-8"))
    return {"builds": data.get("builds"), **data.get("battery", {})}


def exercise_of(request) -> tuple[str, dict]:
    """The running check's exercise: its id ("04.3") and its declaration."""
    folder = Path(request.module.__file__).resolve().parent
    number, k, _ = folder.name.split("_", 2)
    return f"{number}.{k}", declared(folder)


def served(request, name: str = ""):
    """What the battery drives: the name `serves` declares (or `name`) in the module under check."""
    from exercises.probes import load

    exercise, battery = exercise_of(request)
    return getattr(
        load(exercise, f"exercise.toml's [battery] serves {battery.get('serves')!r}"), name or battery["serves"]
    )
