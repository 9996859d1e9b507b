"""The course index and the lesson pages (plain Django views over HTTP)."""

import re
import secrets

import markdown
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from course.catalogue import LESSONS, REPO_DIR, get_lesson
from course.sequence import draw_diagrams
from lessons.routing import hazard_urlpatterns, route_exists

# codehilite hands each fenced block that names its language (```python, ```sh,
# ```json) to Pygments; course/static/course/pygments.css colours the result.
MARKDOWN_EXTENSIONS = ["fenced_code", "codehilite", "tables", "toc"]
MARKDOWN_CONFIG = {"codehilite": {"guess_lang": False, "css_class": "highlight"}}
# A long test id or path in running text (`tests/test_04_….py::test_…`) has no
# space to wrap at, so on a phone it pushed the whole page sideways. <wbr> after
# each "/", "::" and "_" of a long inline <code> lets it wrap at those marks.
LONG_INLINE_CODE = re.compile(r"(?<!<pre>)<code>([^<\s]{30,})</code>")


def _breakable(html: str) -> str:
    """The lesson's HTML with a line-break chance after each "/", "::" and "_" of a long spaceless inline code."""
    return LONG_INLINE_CODE.sub(lambda m: "<code>" + re.sub(r"(::|/|_)", r"\1<wbr>", m[1]) + "</code>", html)


def index(request):
    """GET /: every lesson with its app, live page and test command."""
    return render(request, "course/index.html", {"lessons": LESSONS})


def lesson_page(request, number):
    """GET /lessons/NN/: the lesson text beside a live client (WebSocket, EventSource or fetch)."""
    lesson = get_lesson(number)
    if lesson is None:
        raise Http404(f"No lesson {number!r}; lessons are numbered {LESSONS[0].number} to {LESSONS[-1].number}.")
    try:
        text = lesson.text_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = f"# {lesson.title}\n\nThis lesson's text (`{lesson.text_path.name}`) is not written yet."
    html = markdown.markdown(draw_diagrams(text), extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    html = _breakable(html)
    routes = [_route_status(route.path) | {"route": route} for route in lesson.routes]
    context = {
        "lesson": lesson,
        "extra_template": _extra_template(number),
        "text_html": html,
        "routes": routes,
        "exercises": lesson.exercises,
        "previous": get_lesson(f"{int(number) - 1:02d}"),
        "next": get_lesson(f"{int(number) + 1:02d}"),
        # The key to this page load's own connections in the inspector (course/inspector.py).
        "inspector_page": secrets.token_urlsafe(16) if settings.INSPECTOR_ENABLED else None,
    }
    return render(request, "course/lesson.html", context)


def lesson_file(request, number, name):
    """GET /lessons/NN/files/<path>: one file the lesson lists, highlighted; any other path is a 404."""
    lesson = get_lesson(number)
    # Only names the catalogue lists, compared as strings: no path from the URL
    # ever reaches the file system, so "../settings.py" cannot either.
    if lesson is None or name not in lesson.files:
        raise Http404(f"Lesson {number} lists no file {name!r}.")
    source = (REPO_DIR / name).read_text(encoding="utf-8")
    try:
        lexer = get_lexer_for_filename(name)
    except ClassNotFound:
        lexer = TextLexer()
    code = highlight(source, lexer, HtmlFormatter(cssclass="highlight", linenos="table"))
    return render(request, "course/file.html", {"lesson": lesson, "name": name, "code_html": code})


def _route_status(path: str) -> dict:
    """Whether this server routes `path`, and if not, whether it is a hazard demo left out on purpose."""
    exists = route_exists(path)
    # SERVE_HAZARD_DEMOS off (as in production): the page says why, rather than offer a route that answers 403.
    return {"exists": exists, "withheld": not exists and route_exists(path, hazard_urlpatterns)}


def _extra_template(number: str) -> str | None:
    """A lesson's own extra panel (a form, a login link), if it has one."""
    name = f"course/extras/{number}.html"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name
