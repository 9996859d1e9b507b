"""Lesson 16: every door a password opens over HTTP, throttled on the socket login's counters.

lessons/settings.py puts LoginThrottleMiddleware in MIDDLEWARE, so every
settings module that serves these doors throttles them: development,
production and the workshop room alike. Once it lived in the room's settings
alone, and production checked every wrong password at /accounts/login/ and
/admin/login/ until the right one logged in. The doors, each a POST:

    a login form        `password` (/accounts/login/, /admin/login/): counted for the
                        username it names, and its client's address
    a password change   `old_password` (/accounts/password_change/, /admin/password_change/):
                        counted for the logged-in user's name, so a stolen session
                        guesses no faster than a stranger
    the reset form      /accounts/password_reset/: counted for the address it asks a
                        mail for ("email" counters), and its client's address; it mails
                        a link, so even the right answer is counted

Each is counted by auth_demo/throttle.py's check_attempt() before the view
checks anything: over LOGIN_FAILURES_PER_USERNAME for the name, or
LOGIN_FAILURES_PER_ADDRESS for the address, the answer is 429 and the
password is never hashed. A login or change that works takes its own count
back. With the counters unreadable (Redis down): 503, never let through.
"""

from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse
from redis.exceptions import RedisError

from auth_demo import throttle
from lessons.clients import client_address, request_scope

TOO_MANY = "Too many attempts from this address or for this name: try again in {} s."
UNAVAILABLE = "Logging in is unavailable for a moment: try again."


def door(request, view) -> tuple[str, str] | None:
    """(kind, name) of the counter a POST to `view` spends, or None when it opens no password door."""
    if request.method != "POST":
        return None
    if "password" in request.POST:  # a login form, the course's or the admin's
        return "username", throttle.same_person(request.POST.get("username", ""))
    if "old_password" in request.POST:
        # Anonymous: the view sends it to the login page, checking nothing.
        user = request.user
        return ("username", throttle.same_person(user.get_username())) if user.is_authenticated else None
    if issubclass(getattr(view, "view_class", object), PasswordResetView):
        return "email", throttle.same_person(request.POST.get("email", ""))
    return None


class LoginThrottleMiddleware:
    """Every POST that opens a password door, counted on lesson 16's counters before the view checks it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        attempt = getattr(request, "password_attempt", None)
        # A login or change that worked redirects, with its user on the request: take back its own count.
        if attempt and response.status_code in (302, 303) and request.user.is_authenticated:
            try:
                throttle.uncount(attempt.keys)
            except RedisError:
                pass  # Redis went away since the count: this login keeps its count, and still works
        return response

    def process_view(self, request, view, args, kwargs):
        """Called after CSRF's check, before the view: count this attempt, or refuse it unchecked."""
        counted = door(request, view)
        if counted is None:
            return None
        kind, name = counted
        try:
            attempt = throttle.check_attempt(kind, name, client_address(request_scope(request)))
        except RedisError:  # the counters are unreadable: refuse rather than let guesses through uncounted
            return HttpResponse(UNAVAILABLE, status=503, content_type="text/plain")
        if attempt.retry_after:
            refused = HttpResponse(TOO_MANY.format(attempt.retry_after), status=429, content_type="text/plain")
            refused["Retry-After"] = str(attempt.retry_after)
            return refused
        # A reset is never taken back: it mails a link whoever asks, and that is what is counted.
        request.password_attempt = attempt if kind == "username" else None
        return None
