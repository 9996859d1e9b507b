"""Check 00.2 (fix): asgi.py sets the settings, calls get_asgi_application(), then imports consumers (fresh process).

Each test imports the file in a fresh process, as `daphne exercises.<module>:application` does. The task's rules, in
its order: 1 it imports with nothing of Django set up and no DJANGO_SETTINGS_MODULE; 2 "http" is still Django's own
ASGI application; 3 "websocket" is still AuthMiddlewareStack(URLRouter(...)) to lesson 08's room route, and nothing
more; 4 the settings module the server names is the one used; 5 DJANGO_ALLOW_ASYNC_UNSAFE stays unset.
"""

import pytest

from exercises.probes.asgi_setup import application, imported

EXERCISE = "00.2"
RULE = (
    "asgi.py must have Django set up, its settings known and its apps loaded, before any line imports a model "
    "(routing imports consumers, consumers import models); the application itself stays the same"
)
PRODUCTION = "lessons.settings_production"
# AuthMiddlewareStack(URLRouter(...)) from the outside in: the websocket application the task keeps, nothing around it.
STACK = ["CookieMiddleware", "SessionMiddleware", "AuthMiddleware", "URLRouter"]


def holds_in_order(stack: list, wanted: list) -> bool:
    """True if every layer of `wanted` is in `stack`, in that order, whatever else is around or between them."""
    layers = iter(stack)
    return all(name in layers for name in wanted)


@pytest.mark.rule(1)
def test_a_fresh_process_imports_it():
    application(EXERCISE, RULE)


@pytest.mark.rule(2)
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


@pytest.mark.rule(3)
def test_websocket_goes_through_auth_to_lesson_08s_room_route():
    found = application(EXERCISE, RULE)
    assert "AuthMiddleware" in found.get("stack", []), (
        f"the websocket stack is {' -> '.join(found.get('stack', []))}: AuthMiddlewareStack is gone, so "
        'scope["user"] is never set. Keep the same application: only the order of the lines was wrong. ' + RULE
    )
    stack = found["stack"]
    assert stack == STACK or not holds_in_order(stack, STACK), (
        f"the websocket application is {' -> '.join(stack)}: the task keeps the same application, "
        f"AuthMiddlewareStack(URLRouter(websocket_urlpatterns)), which is {' -> '.join(STACK)} and nothing else "
        "around it or inside it; each layer more changes what every socket meets (a second stack reads each "
        "session twice, an origin validator refuses clients the project served). Only the order of the lines was "
        "wrong"
    )
    sessions = [name for name in found["stack"] if name in ("CookieMiddleware", "SessionMiddleware", "AuthMiddleware")]
    assert sessions == ["CookieMiddleware", "SessionMiddleware", "AuthMiddleware"], (
        f"the websocket stack is {' -> '.join(found['stack'])}: AuthMiddleware reads the session that "
        "CookieMiddleware and SessionMiddleware put in the scope before it, and without them every socket fails "
        '("AuthMiddleware cannot find session in scope"); AuthMiddlewareStack(...) is all three, in that order'
    )
    assert stack == STACK, (
        f"the websocket application is {' -> '.join(stack)}, where the task keeps {' -> '.join(STACK)} "
        "(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))): only the order of the lines was wrong"
    )
    assert "^ws/db/room/(?P<room>[^/]+)/$" in found.get("routes", []), (
        f"lesson 08's room route is gone (routes: {found.get('routes')}): every socket would get "
        f'"No route found for path". {RULE}'
    )


@pytest.mark.rule(4)
def test_the_settings_module_the_server_names_is_the_one_used():
    application(EXERCISE, RULE)  # the file imports on its own first
    found = imported(EXERCISE, PRODUCTION)
    assert found.get("settings") == PRODUCTION, (
        f"started with DJANGO_SETTINGS_MODULE={PRODUCTION}, as a production server is, the file ran with "
        f"{found.get('settings') or found.get('error')}: asgi.py names the settings only when the server "
        "names none, os.environ.setdefault(...), never os.environ[...] = ..., which overrides the operator's choice"
    )


@pytest.mark.rule(5)
def test_django_still_refuses_a_query_on_the_event_loop():
    unsafe = application(EXERCISE, RULE).get("unsafe")
    assert unsafe is None, (
        f"your file sets DJANGO_ALLOW_ASYNC_UNSAFE={unsafe!r}: that hides Django's SynchronousOnlyOperation for "
        "every consumer of the server, and each query it lets run on the event loop stalls every socket of the "
        "process. Fix the query (database_sync_to_async, lesson 08), never the error; asgi.py only orders its lines"
    )


# The standard battery of what this exercise builds (routing), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
