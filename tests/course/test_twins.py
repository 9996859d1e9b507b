"""Declared twins stay in step: demo apps never import each other, so a few modules are kept twice.

Each pair below says in its docstring that it is kept line for line. Only the
module docstring, the app its imports name and the listed extra names may
differ; anything else that drifts fails here, named. A method kept twice (the
workshop's two consumers' `__call__`, each readable on its own) must be the same
source, docstring and all: what differs lives in the class, beside it.
"""

import ast
import re
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
DEMO_APPS = ("async_demo", "auth_demo", "db_demo", "http_demo", "layers_demo", "sync_demo")
# (twin, original, names only the original has, and why)
TWINS = [
    ("db_demo/flood.py", "layers_demo/flood.py", {}),
    ("db_demo/flood_budgets.py", "layers_demo/flood_budgets.py", {}),
    (
        "db_demo/validation.py",
        "layers_demo/validation.py",
        {"room_group": "lesson 05's chat group name lives beside the chat's rules; the database room has its own"},
    ),
]

# (file, class, method) pairs kept line for line: each says so in its docstring
METHOD_TWINS = [
    (
        ("workshop/student_socket.py", "StudentConsumer", "__call__"),
        ("workshop/staff_socket.py", "StaffConsumer", "__call__"),
    ),
]


def definitions(path: Path) -> dict[str, str]:
    """Every top-level statement but the docstring, by name, as source with the demo app's name taken out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body[1:] if ast.get_docstring(tree) else tree.body:
        source = re.sub(rf"\b({'|'.join(DEMO_APPS)})\.", "<app>.", ast.unparse(node))
        name = getattr(node, "name", None) or source.split("=")[0].strip()
        found[name] = source
    return found


@pytest.mark.parametrize(("twin", "original", "extra"), TWINS, ids=[twin for twin, _, _ in TWINS])
def test_each_declared_twin_differs_from_its_original_only_where_it_says(twin, original, extra):
    ours, theirs = definitions(REPO_DIR / twin), definitions(REPO_DIR / original)
    drifted = sorted(
        name for name in (ours.keys() | theirs.keys()) - extra.keys() if ours.get(name) != theirs.get(name)
    )
    assert drifted == [], f"{twin} is no longer {original} line for line: {drifted}"
    assert extra.keys() <= theirs.keys() - ours.keys(), f"{twin}: an extra name listed here is gone or shared"


def test_every_module_kept_line_for_line_is_a_listed_twin():
    claimed = {
        str(path.relative_to(REPO_DIR))
        for app in DEMO_APPS
        for path in (REPO_DIR / app).glob("*.py")
        if "line for line" in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    }
    assert claimed == {twin for twin, _, _ in TWINS}


def test_a_twin_whose_one_line_drifted_is_caught(tmp_path):
    twin = tmp_path / "flood.py"
    original = (REPO_DIR / "db_demo/flood.py").read_text(encoding="utf-8")
    twin.write_text(original.replace("= time.monotonic)", "= time.time)", 1), encoding="utf-8")
    ours, theirs = definitions(twin), definitions(REPO_DIR / "layers_demo/flood.py")
    assert [name for name in theirs if ours.get(name) != theirs[name]] == ["RateLimit"]


def method_source(path: str, class_name: str, method: str) -> str:
    """The method's source, docstring included, as ast.unparse gives it (no comments)."""
    for node in ast.walk(ast.parse((REPO_DIR / path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == method:
                    return ast.unparse(item)
    raise LookupError(f"no {class_name}.{method} in {path}")


@pytest.mark.parametrize(("twin", "original"), METHOD_TWINS, ids=[f"{t[1]}.{t[2]}" for t, _ in METHOD_TWINS])
def test_each_declared_method_twin_is_the_same_source_as_its_original(twin, original):
    assert "line for line" in method_source(*twin), f"{twin}: its docstring no longer says it is a twin"
    assert method_source(*twin) == method_source(*original), f"{twin[1]}.{twin[2]} drifted from {original[1]}'s"
