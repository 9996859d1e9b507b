"""The course's layout keeps its promises: demo apps stand alone, and every file a lesson lists exists."""

import ast
from functools import cache
from pathlib import Path

import pytest

from course.catalogue import APPS, LESSONS, REPO_DIR, Lesson
from tests.helpers.routes import routed_consumer


@cache
def parsed(path: Path) -> ast.Module:
    """A Python file's syntax tree, parsed once per run: several tests below read every file of tests/."""
    return ast.parse(path.read_text(encoding="utf-8"))


DEMO_APPS = sorted(path.name for path in REPO_DIR.glob("*_demo") if (path / "__init__.py").exists())


def imported_modules(app: str) -> set[str]:
    """Every module an app's Python files import (absolute imports only: the course uses no others)."""
    modules = set()
    for source in (REPO_DIR / app).rglob("*.py"):
        for node in ast.walk(parsed(source)):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
    return modules


@pytest.mark.parametrize("app", DEMO_APPS)
def test_a_demo_app_imports_no_other_demo_app(app):
    others = {module for module in imported_modules(app) if module.split(".")[0] in set(DEMO_APPS) - {app}}
    assert others == set(), f"{app} imports {sorted(others)}: each lesson's app must stand alone"


def test_the_layout_check_sees_every_demo_app():
    assert {"sync_demo", "async_demo", "layers_demo", "auth_demo", "db_demo", "http_demo", "tasks_demo"} <= set(
        DEMO_APPS
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.number for lesson in LESSONS])
def test_every_file_a_lesson_lists_exists(lesson):
    missing = [name for name in lesson.files if not (REPO_DIR / name).is_file()]
    assert missing == [], f"lesson {lesson.number} lists files that do not exist"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.number for lesson in LESSONS])
def test_a_lessons_test_command_runs_its_fast_files_and_no_others(lesson):
    tests = REPO_DIR / "tests"
    if lesson.test_folder:  # the folder, with the marker that leaves its slow files out
        assert lesson.test_paths == (lesson.test_folder,) and list(tests.glob(f"test_{lesson.number}_*.py")) == []
        return
    own = [path for path in tests.glob(f"test_{lesson.number}_*.py") if not path.name.endswith("_slow.py")]
    assert sorted(lesson.test_paths) == sorted(path.relative_to(REPO_DIR).as_posix() for path in own)


def served_by(route) -> str:
    """The file of the consumer (or Django view) a lesson route reaches through the root router."""
    from django.urls import resolve

    consumer = routed_consumer(route.path, http=route.kind != "ws")
    if consumer is None:  # an HTTP path no consumer claims goes on to Django's views
        view = resolve("/" + route.path.partition("?")[0]).func
        consumer = getattr(view, "view_class", view)
    return consumer.__module__.replace(".", "/") + ".py"


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.routes], ids=lambda lesson: lesson.number)
def test_a_lesson_lists_the_file_that_serves_each_route_it_offers(lesson):
    served = {served_by(route) for route in lesson.routes}
    assert served - set(lesson.files) == set(), f"lesson {lesson.number}'s routes are served from unlisted files"


def test_every_lesson_with_an_app_lists_its_files():
    assert [lesson.number for lesson in LESSONS if not lesson.files] == []


def test_the_lessons_command_lists_each_lessons_files():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("lessons", stdout=out)
    assert "    files:  sync_demo/consumers.py, sync_demo/slow.py" in out.getvalue()


def test_a_lesson_page_links_each_of_its_files(client):
    page = client.get("/lessons/01/").content.decode()
    assert '<a href="/lessons/01/files/sync_demo/consumers.py">' in page


def test_a_listed_file_is_served_highlighted(client):
    response = client.get("/lessons/01/files/sync_demo/consumers.py")
    assert response.status_code == 200
    assert b'<span class="k">class</span>' in response.content


@pytest.mark.parametrize(
    "name",
    ["lessons/settings.py", "../lessons/settings.py", "sync_demo/../lessons/settings.py", "/etc/passwd", ".env"],
)
def test_a_file_the_lesson_does_not_list_is_a_404(client, name):
    assert client.get(f"/lessons/01/files/{name}").status_code == 404


def raw_consumer_methods() -> dict[str, set[str]]:
    """Each raw consumer class (a direct AsyncConsumer or SyncConsumer subclass) in the demo apps, and its methods."""
    found = {}
    for app in DEMO_APPS:
        for source in (REPO_DIR / app).rglob("*.py"):
            for node in ast.walk(parsed(source)):
                bases = {getattr(base, "id", None) for base in getattr(node, "bases", [])}
                if isinstance(node, ast.ClassDef) and bases & {"AsyncConsumer", "SyncConsumer"}:
                    methods = {
                        item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    }
                    found[f"{source.relative_to(REPO_DIR)}:{node.name}"] = methods
    return found


def test_no_raw_consumer_hides_self_send_behind_a_helper():
    consumers = raw_consumer_methods()
    assert len(consumers) >= 10  # the check sees the raw consumers of lessons 01-12
    hiding = sorted(name for name, methods in consumers.items() if methods & {"send_json", "send_text", "send_frame"})
    assert hiding == [], "raw consumers send literal {'type': 'websocket.send', ...} events (STYLE.md rule 3)"


def test_lessons_holds_the_project_package_lesson_00_and_the_texts_only():
    python_lines = sum(
        len(path.read_text(encoding="utf-8").splitlines()) for path in (REPO_DIR / "lessons").rglob("*.py")
    )
    # About 600 lines at the move, 850 once lesson 15 added the Sentinel and PostgreSQL layer configuration,
    # 910 once routing left the hazard demos out of production (SERVE_HAZARD_DEMOS), 936 with lesson 16's
    # login limits and production's shared cache (settings only), 1,035 with its slow-reader protocol
    # (lessons/slow_readers.py: lesson 16's code, which DESIGN's lesson table places in lessons/), about
    # 1,070 with lesson 17's wiring (the workshop app in settings, its URLs and routes) and the doctor's report to
    # the room. About 1,140 with lesson 16's origin check (lessons/origins.py, the root router's, so the
    # room's too), 1,150 with its byte limit for slow readers, 1,160 with its worker jobs' setting; about 1,170
    # with lesson 18's (its apps, routes and TASKS); about 1,215 once the room's own settings
    # (lessons/settings_room.py, 43 lines) joined the other settings here (issue 49); about 1,335 with lesson 16's
    # one function for who a client is (lessons/clients.py, every budget's, 64 lines), the settings that throttle
    # every password door, send the reset mail and refuse the development key on a server, and the doctor's
    # one line for a REDIS_URL redis-py cannot read (issue 74); about 1,350 with lesson 18's lease settings
    # (TASKS_WORKER_LEASE, TASKS_MAX_ATTEMPTS: a task that survives its worker, issue 74); about 1,370 once the
    # reset mail's settings are MAILERS on Django 6.1+ and EMAIL_* on 5.2 (lessons/settings.py's mail_settings()).
    assert python_lines < 1380, f"lessons/ has {python_lines} lines of Python: course machinery belongs in course/"
    assert not (REPO_DIR / "lessons" / "templates").exists() and not (REPO_DIR / "lessons" / "static").exists()


def test_every_lesson_names_its_apps_from_the_fixed_set():
    assert all(lesson.apps and set(lesson.apps) <= set(APPS) for lesson in LESSONS)


def test_a_lesson_naming_an_app_outside_the_set_is_refused():
    with pytest.raises(ValueError, match="apps must come from"):
        Lesson(number="99", slug="x", title="x", apps=("bench, deploy",), files=())


def test_each_app_in_the_fixed_set_is_a_folder_of_the_repository():
    assert [app for app in APPS if not (REPO_DIR / app).is_dir()] == []
