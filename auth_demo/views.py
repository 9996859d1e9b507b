"""HTTP views of auth_demo: lesson 07's socket-login handoff, lesson 11's token for a logged-in browser.

Lesson 07: carry a socket login over to the browser.

channels' login() moves the session to a new key (session.cycle_key()), and a
socket cannot set a cookie: only an HTTP response can. So after a socket login
the consumer (auth_demo/socket_login.py) sends the client a short-lived signed
token naming the new session, and the page POSTs it here; this view answers
with the Set-Cookie the socket could not send. Lesson text: lessons/07-authentication.md
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from auth_demo.tokens import MAX_AGE, issue_token

# A salt of its own: no other value this site signs with SECRET_KEY (a signed
# cookie, another app's token) can pass for a handoff token, nor this for them.
HANDOFF_SALT = "auth_demo.socket-login"
# The page redeems the token at once; a minute later this view refuses it, so
# an old token from a log or a screenshot no longer opens this door.
HANDOFF_MAX_AGE = 60  # seconds


def handoff_token(session_key: str) -> str:
    """A token naming a logged-in session, signed with SECRET_KEY (readable, not secret: keep it out of URLs)."""
    return signing.dumps(session_key, salt=HANDOFF_SALT)


# No @csrf_exempt: a valid token proves this server minted it, not that this
# browser asked for it. Without the CSRF check another site could make your
# browser redeem the attacker's own token, logging you in as them (login CSRF).
@require_POST
def socket_login_handoff(request):
    """POST /accounts/socket-login/ with `token`: set this browser's session cookie to the socket's session."""
    token = request.POST.get("token")
    if not token:
        return JsonResponse({"error": 'expected a POST field "token": the "handoff" of a socket login'}, status=400)
    try:
        session_key = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE)
    except signing.SignatureExpired:
        error = f"the token expired ({HANDOFF_MAX_AGE} s after the socket login): log in over the socket again"
        return JsonResponse({"error": error}, status=400)
    except signing.BadSignature:
        return JsonResponse({"error": "the token is not one this server signed for a socket login"}, status=400)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # A session that was logged out (flushed) or has expired loads as empty.
    if SESSION_KEY not in session:
        return JsonResponse({"error": "no one is logged in on that session any more: log in again"}, status=400)
    # Hand the socket's session to Django's SessionMiddleware: for a modified
    # session it sends Set-Cookie on the way out, with SESSION_COOKIE_NAME, _AGE,
    # _DOMAIN, _PATH, _SECURE, _HTTPONLY and _SAMESITE, as after any HTTP login.
    request.session = session
    session.modified = True
    return HttpResponse(status=204)


# CSRF-checked like every POST (no @csrf_exempt): otherwise any site the user
# visits could have the browser fetch a token. (It could not read the answer,
# but nothing here should rely on that.) never_cache: a token is a credential.
@never_cache
@require_POST
def token_for_browser(request):
    """POST /accounts/token/: the logged-in browser gets a login token for ws/auth/token/ (lesson 11)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "log in first (/accounts/login/): a token names a logged-in user"}, status=403)
    return JsonResponse({"token": issue_token(request.user), "expires_in": MAX_AGE})
