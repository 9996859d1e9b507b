"""Check 00.2 (fix): asgi.py sets the settings, calls get_asgi_application(), then imports consumers (fresh process).

Each test imports the file in a fresh process, as `daphne exercises.<module>:application` does: it imports with
nothing of Django set up and no DJANGO_SETTINGS_MODULE; "http" is still Django's own ASGI application; "websocket"
still goes through AuthMiddlewareStack to lesson 08's room route; the settings module the server names is the one
used; DJANGO_ALLOW_ASYNC_UNSAFE stays unset.
"""

from exercises.probes.asgi_setup import application, imported

EXERCISE = "00.2"
RULE = (
    "asgi.py must have Django set up, its settings known and its apps loaded, before any line imports a model "
    "(routing imports consumers, consumers import models); the application itself stays the same"
)
PRODUCTION = "lessons.settings_production"


def test_a_fresh_process_imports_it():
    application(EXERCISE, RULE)


def test_http_still_goes_to_djangos_own_asgi_application():
    found = application(EXERCISE, RULE)
    assert found.get("router") == "ProtocolTypeRouter" and found.get("protocols") == ["http", "websocket"], (
        f"expected application = ProtocolTypeRouter({{'http': ..., 'websocket': ...}}), the same application "
        f"as before the fix, got a {found.get('router')} for {found.get('protocols')}"
    )
    assert found["http"] == "django.core.handlers.asgi.ASGIHandler", (
        f'"http" must be what get_asgi_application() returned (Django\'s ASGIHandler), got a {found["http"]}: '
        "every page would fail"
    )


def test_websocket_goes_through_auth_to_lesson_08s_room_route():
    found = application(EXERCISE, RULE)
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
    application(EXERCISE, RULE)  # the file imports on its own first
    found = imported(EXERCISE, PRODUCTION)
    assert found.get("settings") == PRODUCTION, (
        f"started with DJANGO_SETTINGS_MODULE={PRODUCTION}, as a production server is, the file ran with "
        f"{found.get('settings') or found.get('error')}: asgi.py names the settings only when the server "
        "names none, os.environ.setdefault(...), never os.environ[...] = ..., which overrides the operator's choice"
    )


def test_django_still_refuses_a_query_on_the_event_loop():
    unsafe = application(EXERCISE, RULE).get("unsafe")
    assert unsafe is None, (
        f"your file sets DJANGO_ALLOW_ASYNC_UNSAFE={unsafe!r}: that hides Django's SynchronousOnlyOperation for "
        "every consumer of the server, and each query it lets run on the event loop stalls every socket of the "
        "process. Fix the query (database_sync_to_async, lesson 08), never the error; asgi.py only orders its lines"
    )
