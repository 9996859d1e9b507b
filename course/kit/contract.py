"""The task is the contract: the numbered rules a student's file states, and which test of its check proves each.

The student's file (the task in its docstring) lists every rule its check enforces:

    Rules (the check proves each one, and nothing else):

    1. An anonymous user is accepted, then closed with 4401 before any data
       frame; nothing is sent after the close.
    2. ...

Each test of check.py names the rule(s) it proves with `@pytest.mark.rule(N, ...)`, and each
behaviour of the standard battery that runs for the exercise is mapped to its rule in
exercise.toml's `[battery.rules]`. tests/course/test_exercises_contract.py holds every exercise
to it: no test without a stated rule, no stated rule without a test.
"""

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

HEADING = "Rules (the check proves each one, and nothing else):"
ITEM = re.compile(r"^(\d+)\. (\S.*)$")


@dataclass(frozen=True)
class Contract:
    rules: dict[int, str]  # number -> the rule, in the task's own words (lines joined)
    tests: dict[str, tuple[int, ...]]  # each test of check.py -> the rules its marker names (() if none)
    battery: dict[str, int]  # each battery behaviour mapped in [battery.rules] -> its rule


def stated_rules(source: str) -> dict[int, str]:
    """The numbered rules under HEADING in a module's docstring, in order ({} if it has none)."""
    docstring = ast.get_docstring(ast.parse(source), clean=True) or ""
    lines = docstring.splitlines()
    if HEADING not in lines:
        return {}
    rules: dict[int, str] = {}
    current = None
    for line in lines[lines.index(HEADING) + 1 :]:
        item = ITEM.match(line)
        if item:
            current = int(item.group(1))
            rules[current] = item.group(2)
        elif line.startswith("   ") and current is not None:  # a rule's next line, indented under its words
            rules[current] += " " + line.strip()
        elif line.strip() == "" and not rules:
            continue  # the blank line after the heading
        elif line.strip() == "":
            current = None
        else:
            break  # the list has ended
    return rules


def marked_rules(decorator: ast.expr) -> tuple[int, ...] | None:
    """The numbers of a `pytest.mark.rule(N, ...)` decorator, else None."""
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "rule"
        and ast.unparse(decorator.func.value) == "pytest.mark"
    ):
        return tuple(arg.value for arg in decorator.args if isinstance(arg, ast.Constant))
    return None


def rules_of_tests(source: str) -> dict[str, tuple[int, ...]]:
    """Each module-level test function of a check and the rules its marker names."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            numbers = [marked_rules(decorator) for decorator in node.decorator_list]
            found[node.name] = next((n for n in numbers if n is not None), ())
    return found


def contract_of(folder: Path, student_file: str) -> Contract:
    """What the exercise in `folder` states (its shipped student file) and what its check and battery prove."""
    declared = tomllib.loads((folder / "exercise.toml").read_text(encoding="utf-8"))
    return Contract(
        rules=stated_rules((folder / student_file).read_text(encoding="utf-8")),
        tests=rules_of_tests((folder / "check.py").read_text(encoding="utf-8")),
        battery=dict(declared.get("battery", {}).get("rules", {})),
    )
