"""Every map of the repository names what is there and nothing else (STYLE 33).

A map is what a newcomer reads before the files: the README's lesson table, and each package's list of its
modules (a docstring, or a README beside them). Each one below is read the way a reader reads it, and compared
with the folder it maps: a module added without its line, or a line left for a module that is gone, fails here.
"""

import ast
import re
import tomllib
from pathlib import Path

import pytest

from course.catalogue import LESSONS, REPO_DIR

# A map's entry: a line that starts with a name (a module, a folder, a path) followed by two spaces or its end.
ENTRY = re.compile(r"^[ \t]*([\w.@*/-]+(?:\.\w+|/))(?=[ \t]{2,}|[ \t]*$)", re.M)
TABLE_ENTRY = re.compile(r"^\| `([\w./-]+)` \|", re.M)  # a Markdown table's row whose first cell is one `name`


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def docstring_of(package: str) -> str:
    return docstring(REPO_DIR / package / "__init__.py")


def package_map(package: str) -> tuple[set[str], set[str]]:
    """What a package's docstring names, and the modules it holds."""
    return entries(docstring_of(package)), modules(REPO_DIR / package)


def modules(folder: Path) -> set[str]:
    """The modules of a folder as a map names them: `name.py`, and `name/` for a package, never __init__.py."""
    found = {path.name for path in folder.glob("*.py") if path.name != "__init__.py"}
    return found | {path.name + "/" for path in folder.iterdir() if (path / "__init__.py").is_file()}


def entries(text: str, prefix: str = "") -> set[str]:
    """The names a map's lines start with, `prefix` (the folder as the map writes it) taken off."""
    return {name.removeprefix(prefix) for name in ENTRY.findall(text) if name.startswith(prefix)}


def exercise_folder() -> set[str]:
    """What every exercise folder holds, as the map names it: meta/mistakes/ for its diffs; the example's own file."""
    found = {"presence.py"}  # the map's example, exercises/04_2_presence/: the file its student edits
    for record in (REPO_DIR / "exercises").glob("*/exercise.toml"):
        own = tomllib.loads(record.read_text(encoding="utf-8"))["file"]
        for path in record.parent.rglob("*"):
            name = path.relative_to(record.parent).as_posix()
            if path.is_file() and name != own and "__pycache__" not in name:
                found.add(re.sub(r"^(meta/(?:alternatives|mistakes)/).*", r"\1", name))
    return found


def exercises_map() -> tuple[set[str], set[str]]:
    """What exercises/__init__.py names (an exercise folder's files, then what sits beside the folders), and what is."""
    named = {re.sub(r"^(meta/mistakes/)\*\.diff$", r"\1", name) for name in entries(docstring_of("exercises"))}
    return named, exercise_folder() | modules(REPO_DIR / "exercises")


def fixtures_loaded() -> tuple[set[str], set[str]]:
    """The fixture modules tests/conftest.py loads, and those tests/fixtures/ holds."""
    from tests import conftest

    loaded = {name.removeprefix("tests.fixtures.") + ".py" for name in conftest.pytest_plugins}
    return loaded, modules(REPO_DIR / "tests" / "fixtures")


def readme_lessons() -> tuple[set[str], set[str]]:
    """Each row of the README's lesson table as `NN: app, app`, against the catalogue's lessons and their apps."""
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d) \| [^|]+ \| ([^|]+) \|$", readme, re.M)
    named = {f"{number}: " + ", ".join(re.findall(r"`(\w+)/?`", apps)) for number, apps in rows}
    return named, {f"{lesson.number}: {', '.join(lesson.apps)}" for lesson in LESSONS}


def table_map(readme: str, folder: str, *, suffix: str) -> tuple[set[str], set[str]]:
    """The `name`s ending in `suffix` that a README's table of contents has a row for, and those `folder` holds."""
    text = (REPO_DIR / readme).read_text(encoding="utf-8")
    named = {name for name in TABLE_ENTRY.findall(text) if name.endswith(suffix)}
    present = modules(REPO_DIR / folder)
    return named, {name for name in present if name.endswith(suffix)}


MAPS = {
    "README.md's lesson table": readme_lessons,
    "tests/conftest.py's docstring (tests/fixtures/)": lambda: (
        entries(docstring(REPO_DIR / "tests" / "conftest.py"), "tests/fixtures/"),
        modules(REPO_DIR / "tests" / "fixtures"),
    ),
    "tests/conftest.py's pytest_plugins": fixtures_loaded,
    "tests/helpers/__init__.py": lambda: package_map("tests/helpers"),
    "exercises/__init__.py": exercises_map,
    "exercises/probes/__init__.py": lambda: package_map("exercises/probes"),
    "course/kit/README.md": lambda: table_map("course/kit/README.md", "course/kit", suffix=".py"),
    "harness/__init__.py": lambda: package_map("harness"),
    "bench/README.md": lambda: table_map("bench/README.md", "bench", suffix="/"),
}


@pytest.mark.parametrize("name", MAPS)
def test_a_map_names_everything_its_folder_holds_and_nothing_else(name):
    named, present = MAPS[name]()
    assert {"there, not named": sorted(present - named), "named, not there": sorted(named - present)} == {
        "there, not named": [],
        "named, not there": [],
    }


def test_exercises_map_names_every_field_of_an_exercise_toml():
    fields = set()
    for record in (REPO_DIR / "exercises").glob("*/exercise.toml"):
        data = tomllib.loads(record.read_text(encoding="utf-8"))
        fields |= {f"[{key}]" if isinstance(value, dict) else key for key, value in data.items()}
    text = docstring_of("exercises")
    assert sorted(field for field in fields if not re.search(rf"(?<![\w\[]){re.escape(field)}(?![\w\]])", text)) == []


def test_a_module_added_without_its_line_is_told(tmp_path):
    (tmp_path / "__init__.py").write_text('"""A map.\n\nold.py   was here\nkept.py  still here\n"""\n')
    (tmp_path / "kept.py").touch()
    (tmp_path / "new.py").touch()
    named, present = entries(docstring(tmp_path / "__init__.py")), modules(tmp_path)
    assert (present - named, named - present) == ({"new.py"}, {"old.py"})
