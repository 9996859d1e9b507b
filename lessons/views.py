"""The course index and the lesson pages (plain Django views over HTTP)."""

import markdown
from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from lessons.catalogue import LESSONS, get_lesson
from lessons.routing import route_exists


def index(request):
    """GET /: every lesson with its app, live page and test command."""
    return render(request, "lessons/index.html", {"lessons": LESSONS})


def lesson_page(request, number):
    """GET /lessons/NN/: the lesson text beside a live WebSocket client."""
    lesson = get_lesson(number)
    if lesson is None:
        raise Http404(f"No lesson {number!r}; lessons are numbered 00 to 09.")
    try:
        text = lesson.text_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = f"# {lesson.title}\n\nThis lesson's text (`{lesson.text_path.name}`) is not written yet."
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "toc"])
    routes = [{"route": route, "exists": route_exists(route.path)} for route in lesson.routes]
    context = {
        "lesson": lesson,
        "extra_template": _extra_template(number),
        "text_html": html,
        "routes": routes,
        "previous": get_lesson(f"{int(number) - 1:02d}"),
        "next": get_lesson(f"{int(number) + 1:02d}"),
    }
    return render(request, "lessons/lesson.html", context)


def _extra_template(number: str) -> str | None:
    """A lesson's own extra panel (a form, a login link), if it has one."""
    name = f"lessons/extras/{number}.html"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name
