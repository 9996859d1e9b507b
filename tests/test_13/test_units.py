"""Lesson 13: deploy/'s systemd units run every worker the course's code sends work to, and its steps start them.

Work sent where no process takes it waits for ever, with no error anywhere: before deploy/ had a unit for
`db_worker`, lesson 18's tasks stayed READY in production. So the units are checked against the code:
every channel a worker is routed for (lesson 06's `runworker`), and every task backend and queue the code
enqueues to (lesson 18's `db_worker`), read from its @task(...) and .using(...) calls.
"""

import ast
import configparser
import re
import shlex

from django.conf import settings

from course.catalogue import REPO_DIR
from lessons.routing import worker_channels

UNITS = sorted((REPO_DIR / "deploy").glob("*.service"))
DEFAULT = "default"  # the Tasks framework's default backend alias and queue name alike
# The course's own apps: the code a deployment runs (not tests/, exercises/ or bench/).
SHIPPED = [REPO_DIR / app for app in settings.INSTALLED_APPS if (REPO_DIR / app / "__init__.py").is_file()]


def commands() -> list[list[str]]:
    """Each unit's ExecStart, split as systemd splits it."""
    split = []
    for path in UNITS:
        unit = configparser.ConfigParser(interpolation=None, strict=False)
        unit.read(path)
        split.append(shlex.split(unit["Service"]["ExecStart"]))
    return split


def option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv else default


def served_queues() -> set[tuple[str, str]]:
    """(backend, queue) of every db_worker a unit runs; queue "*" is every queue of that backend."""
    served = set()
    for argv in (argv for argv in commands() if "db_worker" in argv):
        backend = option(argv, "--backend", DEFAULT)
        served |= {(backend, queue) for queue in option(argv, "--queue-name", DEFAULT).split(",")}
    return served


def literal(call: ast.Call, name: str, default: str) -> str:
    """A keyword argument's value, if the code writes it as a string; a value read at run time cannot be checked."""
    value = next((keyword.value for keyword in call.keywords if keyword.arg == name), None)
    if value is None:
        return default
    return value.value if isinstance(value, ast.Constant) else f"<{ast.unparse(value)}, not a literal>"


def enqueued_to() -> dict[tuple[str, str], str]:
    """(backend, queue) -> where: every @task(...) of the course's code, and every .using(...) with either."""
    targets = {}
    for source in (path for app in SHIPPED for path in app.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            calls = []
            if isinstance(node, ast.FunctionDef):  # @task, @task(), @task(queue_name=...)
                calls = [d for d in node.decorator_list if "task" in {ast.unparse(d), ast.unparse(d).split("(")[0]}]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "using":
                if {keyword.arg for keyword in node.keywords} & {"queue_name", "backend"}:
                    calls = [node]
            for call in calls:
                call = call if isinstance(call, ast.Call) else ast.Call(func=call, args=[], keywords=[])
                target = (literal(call, "backend", DEFAULT), literal(call, "queue_name", DEFAULT))
                targets[target] = f"{source.relative_to(REPO_DIR)}:{node.lineno}"
    return targets


def test_every_task_backend_and_queue_the_code_enqueues_to_has_a_db_worker_unit():
    targets = enqueued_to()
    assert (DEFAULT, DEFAULT) in targets  # count_primes: the reader found the tasks, so an empty list proves nothing
    served = served_queues()
    unserved = {where: target for target, where in targets.items() if not {target, (target[0], "*")} & served}
    assert unserved == {}, "work enqueued where no unit in deploy/ runs a db_worker: it would wait for ever"


def test_every_worker_channel_the_code_routes_has_a_runworker_unit():
    run = {channel for argv in commands() if "runworker" in argv for channel in argv[argv.index("runworker") + 1 :]}
    assert set(worker_channels) and set(worker_channels) <= run


def test_lesson_13s_steps_start_every_unit_and_stop_every_unit():
    text = (REPO_DIR / "lessons/13-deployment.md").read_text(encoding="utf-8")
    for verb in ("enable --now", "stop"):
        line = re.search(rf"^sudo systemctl {verb} (.+)$", text, re.M)
        assert line, f"lesson 13 has no `sudo systemctl {verb} ...` step"
        named = {re.sub(r"@[^.]+$", "@", name) + ".service" for name in line[1].split()}
        assert named == {path.name for path in UNITS}
