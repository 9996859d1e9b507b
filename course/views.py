"""The course index and the lesson pages (plain Django views over HTTP)."""

import re
import secrets
from functools import lru_cache
from html import escape, unescape
from pathlib import Path

import markdown
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


# A code block wraps its long lines rather than hide their ends past the column's edge: each line
# is a span of its own, so a wrapped line's rest hangs under its own start, past its indent
# (course/static/course/style.css). A drawing in box characters would come apart if wrapped: it
# stays whole and scrolls sideways, with a cue (course/static/course/pages.js).
CODE_BLOCK = re.compile(r'<div class="highlight"><pre><span></span><code>(.*?)</code></pre></div>', re.S)
DRAWING = re.compile("[\u2500-\u257f\u25b2-\u25c0]")
TABLE = re.compile(r"<table>(.*?)</table>", re.S)
TAGS = re.compile(r"<[^>]+>")
FAVICON = Path(__file__).parent / "static" / "course" / "favicon.svg"


def _breakable(html: str) -> str:
    """The lesson's HTML with a line-break chance after each "/", "::" and "_" of a long spaceless inline code."""
    return LONG_INLINE_CODE.sub(lambda m: "<code>" + re.sub(r"(::|/|_)", r"\1<wbr>", m[1]) + "</code>", html)


def _wrappable(match: re.Match) -> str:
    """One highlighted code block, a span a line, each with its indent; a drawing is left whole."""
    code = match[1]
    if DRAWING.search(code):
        return f'<div class="highlight"><pre><span></span><code class="drawing">{code}</code></pre></div>'
    lines = []
    for line in code.rstrip("\n").split("\n"):
        text = TAGS.sub("", line)
        indent = min(len(text) - len(text.lstrip(" ")), 24)
        lines.append(f'<span class="line" style="--indent: {indent}ch">{line}\n</span>')
    return f'<div class="highlight"><pre><span></span><code class="wraps">{"".join(lines)}</code></pre></div>'


def _labelled_cells(match: re.Match) -> str:
    """One table whose every cell names its column (data-label), for the phone, where a row is a card."""
    table = match[1]
    head, end_of_head, body = table.partition("</thead>")
    labels = [escape(unescape(TAGS.sub("", th)).strip()) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", head, re.S)]

    def row(tr: re.Match) -> str:
        cells = iter(labels)
        return re.sub(r"<td\b", lambda td: f'<td data-label="{next(cells, "")}"', tr[0])

    return "<table>" + head + end_of_head + re.sub(r"<tr>.*?</tr>", row, body, flags=re.S) + "</table>"


def _readable(html: str) -> str:
    """The lesson's HTML made to read at any width: inline code, code blocks and tables (see above)."""
    return TABLE.sub(_labelled_cells, CODE_BLOCK.sub(_wrappable, _breakable(html)))


# Keyed by the text itself, so an edited lesson shows at once; Markdown and Pygments take about
# 0.1 s a page, which every visit and every test that opens a lesson page paid again.
@lru_cache(maxsize=2 * len(LESSONS))
def lesson_html(text: str) -> str:
    """A lesson text as the page's HTML: diagrams drawn, code highlighted, made to read at any width."""
    html = markdown.markdown(draw_diagrams(text), extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    return _readable(html)


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
