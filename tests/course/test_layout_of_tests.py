"""tests/ keeps its promises: it reads as the lesson list, each file fits a screen or two, fixtures are where
conftest.py loads them, and a *_slow.py file holds no fast test."""

import ast
import re
import statistics
from functools import cache
from pathlib import Path

import pytest

from course.catalogue import LESSONS, REPO_DIR


@cache
def parsed(path: Path) -> ast.Module:
    """A Python file's syntax tree, parsed once per run: several tests below read every file of tests/."""
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.number for lesson in LESSONS])
def test_a_lesson_with_more_than_three_test_files_keeps_them_in_a_folder(lesson):
    loose = list((REPO_DIR / "tests").glob(f"test_{lesson.number}_*.py"))
    assert len(loose) <= 3, (
        f"lesson {lesson.number} has {len(loose)} test files: move them to tests/test_{lesson.number}/"
    )


def test_the_top_of_tests_reads_as_the_lesson_list():
    entries = [path.name for path in (REPO_DIR / "tests").iterdir() if path.name != "__pycache__"]
    assert len(entries) <= 45, f"tests/ holds {len(entries)} entries: group a lesson's files in tests/test_NN/"


def test_no_test_file_runs_past_220_lines():
    long_files = {
        path.relative_to(REPO_DIR).as_posix(): lines
        for path in (REPO_DIR / "tests").rglob("test_*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 220
    }
    assert long_files == {}, "split a test file by concern before it passes 220 lines (150 is the aim)"


def fixtures_in(source) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions a test file decorates with @pytest.fixture (called with arguments or not)."""
    if "fixture" not in source.read_text(encoding="utf-8"):
        return []  # no decorator there can name one: the file need not be parsed (most are not)
    return [
        node
        for node in ast.walk(parsed(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]


def test_fixtures_live_in_conftest_or_the_modules_it_loads():
    from tests import conftest

    loaded = {"tests/conftest.py"} | {name.replace(".", "/") + ".py" for name in conftest.pytest_plugins}
    defining = {str(path.relative_to(REPO_DIR)) for path in (REPO_DIR / "tests").rglob("*.py") if fixtures_in(path)}
    assert defining - loaded == set(), "a fixture outside tests/conftest.py's pytest_plugins hides from readers"


def test_every_fixture_says_what_it_gives_in_a_docstring():
    undocumented = [
        f"{path.relative_to(REPO_DIR)}::{fixture.name}"
        for path in (REPO_DIR / "tests").rglob("*.py")
        for fixture in fixtures_in(path)
        if not ast.get_docstring(fixture)
    ]
    assert undocumented == []


TEST_FILES = [*(REPO_DIR / "tests").rglob("test_*.py"), *(REPO_DIR / "exercises").glob("*/check.py")]


def test_no_test_name_runs_past_80_characters():
    long_names = [
        f"{path.name}::{name}"
        for path in TEST_FILES
        for name in re.findall(r"^\s*(?:async\s+)?def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
        if len(name) > 80
    ]
    assert long_names == [], "a test's name is a sentence a reader takes in at once: say it in 80 characters"


def unmarked_tests(path) -> list[str]:
    """The tests of a file that carry neither `slow` nor `browser`, by decorator or the module's pytestmark."""
    tree = parsed(path)
    marks = ("mark.slow", "mark.browser")
    assigned = [node for node in tree.body if isinstance(node, ast.Assign)]
    module_marks = [ast.unparse(node.value) for node in assigned if "pytestmark" in map(ast.unparse, node.targets)]
    if any(mark in text for text in module_marks for mark in marks):
        return []
    tests = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [
        node.name
        for node in tests
        if node.name.startswith("test_") and not any(m in ast.unparse(d) for d in node.decorator_list for m in marks)
    ]


def test_every_test_in_a_slow_file_is_marked_slow_or_browser():
    # A lesson's command runs its fast files only: a fast test in a *_slow.py file would run in none of
    # them, and the fast suite would start the processes the name promises to keep out of it.
    unmarked = {path.name: unmarked_tests(path) for path in (REPO_DIR / "tests").rglob("test_*_slow.py")}
    assert {name: tests for name, tests in unmarked.items() if tests} == {}


def test_no_probes_or_battery_module_runs_past_250_lines():
    long_modules = {
        path.name: lines
        for path in [
            *(REPO_DIR / "exercises" / "probes").glob("*.py"),
            *(REPO_DIR / "exercises" / "battery").glob("*.py"),
        ]
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 250
    }
    assert long_modules == {}, "split a probes or battery module by concern before it passes 250 lines (issue 48)"


# Issue 48: a check reads on one screen: 160 lines at most, and the median check 120 (STYLE 28).
CHECK_LINES, MEDIAN_CHECK_LINES = 160, 120


def scenario_lines(source: str) -> int:
    """A check's lines but those that show its contract: each test's rule marker and the battery's lines at its end.

    Issue 72 asks for both in plain sight; they are no machinery, and the screenful is for the scenarios.
    """
    source = source.split("# The standard battery")[0].rstrip()
    return sum(1 for line in source.splitlines() if not line.strip().startswith("@pytest.mark.rule("))


def check_lengths() -> dict[str, int]:
    return {
        path.parent.name: scenario_lines(path.read_text(encoding="utf-8"))
        for path in (REPO_DIR / "exercises").glob("*/check.py")
    }


def test_no_check_runs_past_its_screenful():
    long_checks = {name: lines for name, lines in check_lengths().items() if lines > CHECK_LINES}
    assert long_checks == {}, f"a check reads like a contract on one screen: {CHECK_LINES} lines at most (STYLE 28)"


def test_the_median_check_leaves_its_machinery_to_the_probes():
    # A check's helpers (stand-in layers, readers, second processes) belong in exercises/probes/, its scenarios here.
    assert statistics.median(check_lengths().values()) <= MEDIAN_CHECK_LINES


def test_every_module_the_run_starts_first_exists():
    from tests.conftest import LONGEST

    assert [module for module in LONGEST if not (REPO_DIR / module).is_file()] == []
