"""The course index and the lesson pages (plain Django views over HTTP)."""

import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from course.catalogue import LESSONS, REPO_DIR, get_lesson
from course.render import page_html
from lessons.routing import hazard_urlpatterns, route_exists

FAVICON = Path(__file__).parent / "static" / "course" / "favicon.svg"


# Keyed by the text itself, so an edited lesson shows at once; Markdown and Pygments take about
# 0.1 s a page, which every visit and every test that opens a lesson page paid again.
@lru_cache(maxsize=2 * len(LESSONS))
def lesson_html(text: str) -> str:
    """A lesson text as the page's HTML: diagrams drawn, code highlighted, made to read at any width (course/render.py)."""
    return page_html(text)


def index(request):
    """GET /: every lesson with its app, live page and test command."""
    return render(request, "course/index.html", {"lessons": LESSONS})


def favicon(request):
    """GET /favicon.ico: the course's icon (pages name it with a link tag; tools that do not read one ask here)."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def lesson_page(request, number):
    """GET /lessons/NN/: the lesson text beside a live client (WebSocket, EventSource or fetch)."""
    lesson = get_lesson(number)
    if lesson is None:
        raise Http404(f"No lesson {number!r}; lessons are numbered {LESSONS[0].number} to {LESSONS[-1].number}.")
    try:
        text = lesson.text_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = f"# {lesson.title}\n\nThis lesson's text (`{lesson.text_path.name}`) is not written yet."
    html = lesson_html(text)
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
