"""Check 00.2 (fix): asgi.py sets the settings, calls get_asgi_application(), then imports consumers (fresh process)."""

import json
import os
import subprocess
import sys
from functools import cache

from exercises.probes import COMMAND, REPO_DIR

RULE = (
    "asgi.py must have Django set up, its settings known and its apps loaded, before any line imports a model "
    "(routing imports consumers, consumers import models); the application itself stays the same"
)
PRODUCTION = "lessons.settings_production"
# What `daphne exercises.<module>:application` does first: import the module in a fresh process, without
# DJANGO_SETTINGS_MODULE (the file must set it), and nothing of Django set up yet.
PROBE = """
import json, os, traceback
from exercises.targets import target as load_target, target_path  # not exercises.probes: 0.15 s more a process
try:
    module = load_target("00.2")
except Exception as error:
    # The last line of the student's own file on the way to the error.
    mine = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(target_path("00.2"))]
    where = f" (line {mine[-1].lineno} of your file: {mine[-1].line})" if mine else ""
    print(json.dumps({"error": f"{type(error).__module__}.{type(error).__name__}: {str(error).rstrip('.')}{where}"}))
else:
    from django.conf import settings
    app = module.application
    mapping = getattr(app, "application_mapping", {})
    # The websocket stack from the outside in: each middleware keeps the next one as .inner.
    stack, layer, routes = [], mapping.get("websocket"), []
    while layer is not None and len(stack) < 10:
        stack.append(type(layer).__name__)
        routes = getattr(layer, "routes", routes)  # the URLRouter's own routes, whatever the file named them
        layer = getattr(layer, "inner", None) or getattr(layer, "application", None)  # OriginValidator: .application
    print(json.dumps({
        "router": type(app).__name__,
        "protocols": sorted(mapping),
        "http": type(mapping.get("http")).__module__ + "." + type(mapping.get("http")).__name__,
        "stack": stack,
        "routes": [str(getattr(p, "pattern", p)) for p in routes],
        "settings": settings.SETTINGS_MODULE,
        "unsafe": os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"),  # unset before the import: the file set it
    }))
"""


@cache
def imported(settings_module: str = "") -> dict:
    """What a fresh process finds when it imports the file (one process per settings module, shared by the tests).

    No settings module named: the file must name its own. One named: the server's environment says which.
    """
    unset = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    if settings_module:
        env.update(DJANGO_SETTINGS_MODULE=settings_module, SECRET_KEY="exercise", ALLOWED_HOSTS="example.com")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND
    )
    assert done.returncode == 0, f"the import probe failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def application() -> dict:
    """The application a fresh process found, or the import error as the check's failure."""
    found = imported()
    assert "error" not in found, f"a fresh process cannot import it: {found.get('error')}. {RULE}"
    return found


def test_a_fresh_process_imports_it():
    application()


def test_http_still_goes_to_djangos_own_asgi_application():
    found = application()
    assert found.get("router") == "ProtocolTypeRouter" and found.get("protocols") == ["http", "websocket"], (
        f"expected application = ProtocolTypeRouter({{'http': ..., 'websocket': ...}}), the same application "
        f"as before the fix, got a {found.get('router')} for {found.get('protocols')}"
    )
    assert found["http"] == "django.core.handlers.asgi.ASGIHandler", (
        f'"http" must be what get_asgi_application() returned (Django\'s ASGIHandler), got a {found["http"]}: '
        "every page would fail"
    )


def test_websocket_goes_through_auth_to_lesson_08s_room_route():
    found = application()
    assert "AuthMiddleware" in found.get("stack", []), (
        f"the websocket stack is {' -> '.join(found.get('stack', []))}: AuthMiddlewareStack is gone, so "
        'scope["user"] is never set. Keep the same application: only the order of the lines was wrong. ' + RULE
    )
    sessions = [name for name in found["stack"] if name in ("CookieMiddleware", "SessionMiddleware", "AuthMiddleware")]
    assert sessions == ["CookieMiddleware", "SessionMiddleware", "AuthMiddleware"], (
        f"the websocket stack is {' -> '.join(found['stack'])}: AuthMiddleware reads the session that "
        "CookieMiddleware and SessionMiddleware put in the scope before it, and without them every socket fails "
        '("AuthMiddleware cannot find session in scope"); AuthMiddlewareStack(...) is all three, in that order'
    )
    assert "^ws/db/room/(?P<room>[^/]+)/$" in found.get("routes", []), (
        f"lesson 08's room route is gone (routes: {found.get('routes')}): every socket would get "
        f'"No route found for path". {RULE}'
    )


def test_the_settings_module_the_server_names_is_the_one_used():
    application()  # the file imports on its own first
    found = imported(PRODUCTION)
    assert found.get("settings") == PRODUCTION, (
        f"started with DJANGO_SETTINGS_MODULE={PRODUCTION}, as a production server is, the file ran with "
        f"{found.get('settings') or found.get('error')}: asgi.py names the settings only when the server "
        "names none, os.environ.setdefault(...), never os.environ[...] = ..., which overrides the operator's choice"
    )


def test_django_still_refuses_a_query_on_the_event_loop():
    unsafe = application().get("unsafe")
    assert unsafe is None, (
        f"your file sets DJANGO_ALLOW_ASYNC_UNSAFE={unsafe!r}: that hides Django's SynchronousOnlyOperation for "
        "every consumer of the server, and each query it lets run on the event loop stalls every socket of the "
        "process. Fix the query (database_sync_to_async, lesson 08), never the error; asgi.py only orders its lines"
    )
