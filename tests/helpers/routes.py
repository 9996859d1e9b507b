"""Which consumer the course's root router gives a path to (lesson 00's routing tests, the layout check)."""


def routed_consumer(path: str, http: bool = False) -> type | None:
    """The consumer class the root router's WebSocket (or HTTP) list sends `path` to, under any
    middleware; None for an HTTP path no consumer claims (it goes on to Django's views)."""
    from lessons.routing import http_urlpatterns, websocket_urlpatterns

    path = path.partition("?")[0]  # the routers match the path alone
    patterns = http_urlpatterns if http else websocket_urlpatterns
    match = next((pattern for pattern in patterns if pattern.pattern.match(path)), None)
    if match is None:
        return None
    app = match.callback
    while not hasattr(app, "consumer_class"):
        app = app.inner  # a middleware (BaseMiddleware) keeps what it wraps in .inner
    return app.consumer_class


# Lesson 13's list: every route the course routes (lessons/routing.py's WebSocket and HTTP
# consumers, and the Django views the demos POST to), with what production does with it for a
# visitor without an account. lessons/13-deployment.md shows the same table; tests/test_13/test_production_routes.py
# holds routing and text to it, and tests/test_13/test_production_routes_slow.py a real Daphne.
SERVED, REFUSED = "served", "refused (HTTP 403)"
CSRF, LOGIN, STAFF = "CSRF token", "logged-in user, CSRF token", "staff user, CSRF token"
PRODUCTION = {
    "ws/sync/echo/": SERVED,
    "ws/sync/refuse/": SERVED,
    "ws/sync/close/": SERVED,
    "ws/sync/generic-echo/": SERVED,
    "ws/sync/scope/<name>/": REFUSED,
    "ws/sync/slow/": REFUSED,
    "ws/async/echo/": SERVED,
    "ws/async/ticker/": SERVED,
    "ws/async/hop-free-echo/": SERVED,
    "ws/async/json-echo/": SERVED,
    "ws/async/slow/": REFUSED,
    "ws/layers/plain-chat/<room>/": REFUSED,
    "ws/layers/generic-chat/<room>/": REFUSED,
    "ws/chat/<room>/": SERVED,
    "ws/layers/direct/": SERVED,
    "ws/layers/primes/": SERVED,
    "ws/auth/whoami/": SERVED,
    "ws/auth/login/": SERVED,
    "ws/auth/token/": SERVED,
    "ws/auth/token-query/": SERVED,
    "ws/auth/token-protocol/": SERVED,
    "ws/db/room/<room>/": SERVED,
    "ws/liveblog/": SERVED,
    "ws/workshop/student/": SERVED,
    "ws/workshop/room/": SERVED,
    "ws/tasks/": SERVED,
    "/http/raw/": SERVED,
    "/http/generic/": SERVED,
    "GET /http/ticker/": SERVED,
    "GET /http/poll/": SERVED,
    "POST /http/publish/": LOGIN,
    "GET /liveblog/events/": SERVED,
    "POST /layers/announce/": STAFF,
    "POST /accounts/login/": CSRF,
    "POST /accounts/logout/": CSRF,
    "POST /accounts/socket-login/": CSRF,
    "POST /accounts/token/": LOGIN,
    "POST /accounts/password_reset/": CSRF,
}


def concrete(route: str) -> tuple[str, str]:
    """A table route as (method, path) to request, e.g. "ws/chat/<room>/" -> ("WS", "ws/chat/lobby/")."""
    method, _, path = route.rpartition(" ")
    path = path.replace("<room>", "lobby").replace("<name>", "demo").lstrip("/")
    return method or ("WS" if path.startswith("ws/") else "POST"), path


# Lesson 16: the routes production serves that save, broadcast or queue what an anonymous client
# sends, each held to a budget per client; the frame one client repeats until its budget says no.
# tests/test_16/test_every_route_budgeted.py walks the routing and holds it to this table.
FLOODER = ("203.0.113.7", 50000)  # one counted address (127.0.0.1 is uncounted by default)
ONE_64 = (("2001:db8:1:2::10", 50000), ("2001:db8:1:2:ffff::1", 50001))  # two addresses, one client (lesson 16)
CHAT = '{"message": "flood"}'
BUDGETED = {
    "ws/chat/<str:room>/": CHAT,
    "^ws/db/room/(?P<room>[^/]+)/$": CHAT,
    "ws/layers/direct/": "direct",  # to the socket's own address, which its first frame names
    "ws/layers/primes/": '{"below": 10}',  # worker jobs in flight (no worker runs here)
    "ws/tasks/": '{"below": 10}',  # lesson 18's tasks in flight (tasks_demo/budget.py; no db_worker runs here)
    "ws/auth/login/": '{"action": "login", "username": "ada", "password": "guess"}',  # the login throttle
    "workshop/join/": '{"code": "NOSUCHCODE", "name": "mallory"}',  # the join code's throttle
}


def held(error: str) -> bool:
    """Whether an error frame is a budget's no: the chat's and direct sends', worker jobs', tasks'."""
    return "too many" in error or "in flight" in error or "tasks running" in error
