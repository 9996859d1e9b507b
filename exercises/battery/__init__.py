"""The standard battery: what every exercise of a kind must do, run by every check after its own tests.

An exercise says what the student builds, and how its contract answers, in its exercise.toml:

    builds = "websocket consumer"    # or "HTTP consumer", "middleware", "settings", "routing", "a test",
                                     # "a client helper", "a worker"
    [battery]
    serves = "RoomConsumer"          # the name in the student's file the battery drives
    bad = "message"                  # ... and how that kind is driven: see each behaviour's docstring
    skip = { test_a_message_arrives_unchanged = "why this one does not apply" }

The battery then proves every behaviour of that kind, the same way in every exercise: a mistake one
exercise's check rejects (a binary frame that crashes a consumer, a message trimmed on its way, a route
that also matches /evil/...) is rejected by every check it applies to. Each check imports its behaviours at
its end, in plain sight, so they run after its own tests and a kept mistake is told in its exercise's words
first; exercises/conftest.py refuses a check whose lines differ from what its exercise.toml declares.
"""

import tomllib
from functools import cache
from pathlib import Path

from exercises.battery.declaration import declared

# Each kind's behaviours: a module of this package and its tuple of tests, imported only when a check runs
# (the kit's registry reads the ladders below in the course's server, which never imports pytest).
KINDS = {
    "websocket consumer": ("sockets", "BEHAVIOURS"),
    "HTTP consumer": ("others", "HTTP"),
    "middleware": ("others", "MIDDLEWARE"),
    "settings": ("others", "SETTINGS"),
    "routing": ("others", "ROUTING"),
    "a test": ("others", "TESTS"),
    "a client helper": None,
    "a worker": None,
}
LADDERS = Path(__file__).with_name("hints.toml")  # each behaviour's hint ladder, as meta/hints.toml holds a check's


def behaviours(kind: str) -> tuple:
    """Every behaviour the battery proves for `kind`, in the order they run; the ones every exercise has first."""
    from importlib import import_module

    if kind not in KINDS:
        raise LookupError(f"builds = {kind!r}: the battery knows {', '.join(map(repr, KINDS))}")
    everyone = import_module("exercises.battery.everyone").BEHAVIOURS
    own = getattr(import_module(f"exercises.battery.{KINDS[kind][0]}"), KINDS[kind][1]) if KINDS[kind] else ()
    return (*everyone, *own)


def battery_of(folder: Path) -> dict:
    """The battery's tests for the exercise in `folder`, by name: its kind's behaviours but those it skips."""
    battery = declared(folder)
    skipped = battery.get("skip", {})
    tests = {test.__name__: test for test in behaviours(battery["builds"])}
    unknown = set(skipped) - set(tests)
    if unknown:
        raise LookupError(f"{folder.name}/exercise.toml skips {', '.join(sorted(unknown))}: no such behaviour")
    return {name: test for name, test in tests.items() if name not in skipped}


@cache
def ladders() -> dict[str, tuple[str, ...]]:
    """Each behaviour's hint ladder (exercises/battery/hints.toml), by its test's name."""
    return {name: tuple(ladder) for name, ladder in tomllib.loads(LADDERS.read_text(encoding="utf-8")).items()}
