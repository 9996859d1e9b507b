"""The lesson catalogue: each lesson described once, beside its text, and read here into LESSONS.

A lesson is two files in lessons/: its text, NN-slug.md, and its record,
NN-slug.toml (title, apps, files, more_tests, and a [[routes]] table per route
its page can try). The index page, the lesson pages, `python manage.py
lessons`, the doctor and the tests all read a lesson from here, with its
exercises from the exercise kit's registry (which reads each exercise from its
own folder the same way), so adding a lesson is adding its two files.

The record is TOML beside the text rather than front matter inside it: GitHub
shows a Markdown file's front matter as a table above its title, and the course
is read there too; TOML is what the kit's exercise.toml uses and Python reads
without a dependency (tomllib).
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from course.kit.registry import EXERCISES, Exercise

REPO_DIR = Path(__file__).resolve().parent.parent
TEXTS_DIR = REPO_DIR / "lessons"  # the lesson texts, NN-slug.md, beside lesson 00's code
# `make test-fast`'s marker expression: every test but those that drive a browser or start processes.
FAST_TESTS = "not browser and not slow"


@dataclass(frozen=True, kw_only=True)
class Route:
    """A route a lesson page can try: a WebSocket, a server-sent event stream or a plain HTTP request."""

    path: str  # a concrete path to try, e.g. "ws/chat/lobby/"
    summary: str
    sample: str = "hello"  # what the page's message box starts with (an HTTP route's request body)
    kind: str = "ws"  # "ws": WebSocket; "sse": EventSource (text/event-stream); "http": one fetch()
    method: str = "GET"  # for "http" routes

    @property
    def label(self) -> str:
        """How `manage.py lessons` lists it: a WebSocket by its path, HTTP with its method."""
        if self.kind == "ws":
            return self.path
        return f"{self.method} /{self.path}" + (" (server-sent events)" if self.kind == "sse" else "")


# What a lesson's code lives in: the project package, the demo apps (every *_demo package: a new
# lesson's app needs no line here), the workshop, and three folders.
DEMO_APPS = tuple(sorted(path.parent.name for path in REPO_DIR.glob("*_demo/__init__.py")))
APPS = ("lessons", *DEMO_APPS, "workshop", "tests", "bench", "deploy")


@dataclass(frozen=True, kw_only=True)
class Lesson:
    number: str
    slug: str
    title: str
    apps: tuple[str, ...]  # from APPS, the lesson's main one first
    # The files this lesson teaches, in reading order: its code first, then its tests.
    # `manage.py lessons`, the index and the lesson pages list them; tests/course/test_layout.py
    # checks that each exists and that each route's consumer is among them.
    files: tuple[str, ...]
    routes: tuple[Route, ...] = ()
    # Fast test files besides test_path (lesson 04: the chat, then direct sends and groups). A lesson with
    # more than three test files keeps them in a folder of its own, tests/test_NN/, found by test_folder.
    more_tests: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = [app for app in self.apps if app not in APPS]
        if not self.apps or unknown:
            raise ValueError(f"lesson {self.number}: apps must come from {APPS}, not {unknown or 'none'}")

    @property
    def app(self) -> str:
        """How the index, the lesson page and `manage.py lessons` name its apps."""
        return ", ".join(self.apps)

    @property
    def text_path(self) -> Path:
        return TEXTS_DIR / f"{self.number}-{self.slug}.md"

    @property
    def test_folder(self) -> str:
        """tests/test_NN: where a lesson with more than three test files keeps them all ("" for the others)."""
        folder = f"tests/test_{self.number}"
        return folder if (REPO_DIR / folder).is_dir() else ""

    @property
    def test_path(self) -> str:
        return f"tests/test_{self.number}_{self.slug.replace('-', '_')}.py"

    @property
    def test_paths(self) -> tuple[str, ...]:
        """What `pytest` is given for the lesson: its folder, or its fast files (*_slow.py ones are in files)."""
        return (self.test_folder,) if self.test_folder else (self.test_path, *self.more_tests)

    @property
    def test_command(self) -> str:
        """The lesson's fast tests; a folder holds its slow ones too, which the marker leaves out."""
        marker = f' -m "{FAST_TESTS}"' if self.test_folder else ""
        return "pytest " + " ".join(self.test_paths) + marker

    @property
    def page_url(self) -> str:
        return f"/lessons/{self.number}/"

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """This lesson's exercises, as the kit's registry describes them."""
        return tuple(exercise for exercise in EXERCISES if exercise.lesson == self.number)


RECORD_GLOB = "[0-9][0-9]-*.toml"  # in lessons/: NN-slug.toml, beside its text NN-slug.md
FIELDS = {"title", "apps", "files", "more_tests", "routes"}


def read_lesson(path: Path) -> Lesson:
    """One lesson from its record, lessons/NN-slug.toml: its number and slug from the file's name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    number, slug = path.stem.split("-", 1)
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown fields {unknown}; a lesson's record has {sorted(FIELDS)}")
    try:
        routes = tuple(Route(**route) for route in data.get("routes", ()))
    except TypeError as error:
        raise ValueError(f"{path.name}: a [[routes]] table has {error}") from None
    return Lesson(
        number=number,
        slug=slug,
        title=data["title"],
        apps=tuple(data["apps"]),
        files=tuple(data["files"]),
        routes=routes,
        more_tests=tuple(data.get("more_tests", ())),
    )


LESSONS: tuple[Lesson, ...] = tuple(read_lesson(path) for path in sorted(TEXTS_DIR.glob(RECORD_GLOB)))


def get_lesson(number: str) -> Lesson | None:
    """The lesson numbered `number` ("00", "01", ...), or None."""
    return next((lesson for lesson in LESSONS if lesson.number == number), None)
