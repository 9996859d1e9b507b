"""What every exercise's file must do, whatever it builds."""

import ast

from exercises.battery.declaration import exercise_of
from exercises.targets import target_path

UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def spelled(node: ast.AST) -> str | None:
    """The text a string expression of constants spells, or None.

    "DJANGO_ALLOW_" + "ASYNC_UNSAFE", f"DJANGO_ALLOW_{'ASYNC'}_UNSAFE" and "_".join(["DJANGO", ...]) name the
    variable as surely as the literal does; anything read at run time (a variable, a call) is not followed.
    """
    match node:
        case ast.Constant(value=str(text)):
            return text
        case ast.BinOp(op=ast.Add()):
            left, right = spelled(node.left), spelled(node.right)
            return None if left is None or right is None else left + right
        case ast.JoinedStr():
            parts = [spelled(part.value if isinstance(part, ast.FormattedValue) else part) for part in node.values]
            return None if None in parts else "".join(parts)
        case ast.Call(
            func=ast.Attribute(value=ast.Constant(value=str(glue)), attr="join"), args=[ast.List() | ast.Tuple()]
        ):
            parts = [spelled(element) for element in node.args[0].elts]
            return None if None in parts else glue.join(parts)
    return None


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
        {
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant | ast.BinOp | ast.JoinedStr | ast.Call)
            and UNSAFE in (spelled(node) or "")
            and id(node) not in docstrings
        }
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
