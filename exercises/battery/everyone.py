"""What every exercise's file must do, whatever it builds."""

import ast

from exercises.battery.declaration import exercise_of
from exercises.targets import target_path

UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def unsafe_lines(source: str) -> list[int]:
    """The lines that name DJANGO_ALLOW_ASYNC_UNSAFE in code: a docstring or a comment may mention it, code may not."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and UNSAFE in node.value
        and id(node) not in docstrings
    )


def test_nothing_sets_django_allow_async_unsafe(request):
    exercise, _ = exercise_of(request)
    path = target_path(exercise)
    try:
        lines = unsafe_lines(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return  # the check's own tests have told the student already; this file sets nothing
    assert not lines, (
        f"line {', '.join(map(str, lines))} of your file names {UNSAFE}: it turns off Django's guard against ORM "
        "calls on the event loop for the whole process, every consumer's too, and hides the very mistake it "
        "silences (a query that blocks every socket). Run the query where it belongs: database_sync_to_async"
    )


BEHAVIOURS = (test_nothing_sets_django_allow_async_unsafe,)
