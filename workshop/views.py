"""The instructor's HTTP views of the workshop room (lesson 17): the live page, room.json, a shared file.

Staff only, all three: anonymous visitors are sent to the login page, logged-in
users who are not staff get 403. (`python manage.py createsuperuser` makes a
staff account.) None of them shows a token, a join code or a student's code
that the student did not share.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from workshop import room
from workshop.models import Share, Workshop

NOT_STAFF = "the workshop room is the instructor's: log in as a staff user (python manage.py createsuperuser makes one)"


def staff_only(view):
    """The view, for staff; anyone else is sent to log in (302) or refused (403)."""

    @wraps(view)
    @never_cache  # what a student did is news every second: never from a cache
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied(NOT_STAFF)
        return view(request, *args, **kwargs)

    return checked


@staff_only
def room_page(request):
    """GET /workshop/: the room, live over ws/workshop/room/ (workshop/static/workshop/room.js draws it)."""
    workshop = Workshop.objects.order_by("-pk").first()
    return render(request, "workshop/room.html", {"workshop": workshop})


@staff_only
def room_json(request):
    """GET /workshop/room.json: the newest workshop and every student in it, by name."""
    return JsonResponse(room.room())


@staff_only
def shared_file(request, name, exercise):
    """GET /workshop/shared/<name>/<exercise>/: the newest file that student shared for that exercise."""
    share = (
        Share.objects.filter(student__workshop=Workshop.objects.order_by("-pk").first(), student__name=name)
        .filter(exercise=exercise)
        .order_by("-pk")
        .first()
    )
    if share is None:
        raise Http404(f"{name} has shared nothing for {exercise} in this workshop.")
    try:
        lexer = get_lexer_for_filename(share.path)
    except ClassNotFound:
        lexer = TextLexer()
    # Pygments escapes the code: whatever a student shares is shown, never run by the page.
    code_html = highlight(share.code, lexer, HtmlFormatter(cssclass="highlight", linenos="table"))
    return render(request, "workshop/shared.html", {"share": share, "name": name, "code_html": code_html})
