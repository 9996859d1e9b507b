"""Lesson 16: every route production serves refuses an anonymous client, or holds what one client
saves, broadcasts or queues to a budget per client (its address, its user), not per socket.

The routes come from the routing itself: lessons/routing.py's production WebSocket list and HTTP
consumers, and Django's URLconf. A route added later fails here until it is placed in one of three
tables (BUDGETED in tests/helpers/routes.py, the two below), and each table's promise is then tried
on the route as an anonymous client. Ten sockets on a real Daphne: test_budgets_slow.py.
"""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import ApplicationCommunicator, HttpCommunicator, WebsocketCommunicator
from django.apps import apps
from django.db import connection, router
from django.urls import URLResolver, get_resolver

from harness.patience import FRAME
from lessons.asgi import application
from lessons.routing import http_urlpatterns, safe_urlpatterns
from tasks_demo.budget import IN_FLIGHT
from tests.helpers.clients import HOST, ORIGIN, browser_headers
from tests.helpers.routes import BUDGETED, CHAT, FLOODER, ONE_64, held
from workshop import join

REFUSES_ANONYMOUS = [
    "ws/auth/whoami/", "ws/auth/token/", "ws/auth/token-query/", "ws/auth/token-protocol/",
    "ws/workshop/student/", "ws/workshop/room/", "http/publish/", "accounts/socket-login/", "accounts/token/",
    "accounts/password_change/", "accounts/password_change/done/", "layers/announce/", "workshop/",
    "workshop/room.json", "workshop/shared/<str:name>/<str:exercise>/", "workshop/leave/", "admin/",
]  # fmt: skip
# Answer the sender alone: nothing a client sends is saved, broadcast or queued.
KEEPS_NOTHING = [
    "ws/sync/echo/", "ws/sync/refuse/", "ws/sync/close/", "ws/sync/generic-echo/", "ws/async/echo/",
    "ws/async/ticker/", "ws/async/hop-free-echo/", "ws/async/json-echo/", "^ws/liveblog/$", "http/raw/",
    "http/generic/", "http/ticker/", "http/poll/", "^liveblog/events/$", "", "lessons/<str:number>/",
    "lessons/<str:number>/files/<path:name>", "favicon.ico", "accounts/login/", "accounts/logout/",
    # Django's reset form mails a link to an account's own address, never what the client wrote.
    "accounts/password_reset/", "accounts/password_reset/done/", "accounts/reset/<uidb64>/<token>/",
    "accounts/reset/done/", "admin/login/", "admin/logout/",
]  # fmt: skip


def django_routes(patterns, prefix: str = "") -> list[str]:
    """Every route in Django's URLconf; the admin's own pages as admin/ (staff only), bar its login."""
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += django_routes(pattern.url_patterns, route)
        else:
            routes.append(route if not route.startswith("admin/") or route in KEEPS_NOTHING else "admin/")
    return routes


def production_routes() -> list[str]:
    return sorted(
        {str(p.pattern) for p in [*safe_urlpatterns, *http_urlpatterns]} | {*django_routes(get_resolver().url_patterns)}
    )


def concrete(route: str) -> str:
    """A path for a route: its parameters filled in, its regex anchors gone."""
    path = re.sub(r"<[^>]+>|\(\?P<\w+>[^)]+\)", "x1", route.strip("^$"))
    return "/" + path.replace("lessons/x1", "lessons/07")


@sync_to_async
def rows() -> int:
    """Rows in every table of the site's database (channels_postgres's layer tables live in another), in one query."""
    tables = [
        m._meta.db_table for m in apps.get_models(include_auto_created=True) if router.db_for_read(m) == "default"
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables))
        return cursor.fetchone()[0]


def test_every_route_production_serves_is_in_exactly_one_table():
    tables = [*BUDGETED, *REFUSES_ANONYMOUS, *KEEPS_NOTHING]
    assert sorted(tables) == sorted(set(tables)), "a route is in two tables"
    assert [route for route in production_routes() if route not in tables] == []
    assert [route for route in tables if route not in production_routes()] == []


async def socket(path: str, client: tuple[str, int] = FLOODER) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    communicator.scope["client"] = client
    connected, _ = await communicator.connect(timeout=FRAME)
    return communicator, connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", [r for r in REFUSES_ANONYMOUS if r.startswith("ws/")])
async def test_each_socket_route_that_refuses_strangers_closes_before_any_data(route):
    communicator, connected = await socket(concrete(route))
    if connected:  # accepted, then closed: at once, or at a first frame that proves no one
        await communicator.send_to(text_data='{"token": "forged", "message": "hello"}')
        output = await communicator.receive_output(timeout=FRAME)
        assert output == {"type": "websocket.close", "code": output.get("code")} and output["code"] in (4401, 4403)
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", [r for r in REFUSES_ANONYMOUS if not r.startswith("ws/")])
async def test_each_page_that_refuses_strangers_refuses_their_post(route):
    headers = HOST + browser_headers() + [(b"content-type", b"application/x-www-form-urlencoded")]
    communicator = HttpCommunicator(application, "POST", concrete(route), body=b"message=hello", headers=headers)
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] in (302, 400, 401, 403, 405), response["status"]  # 302: to the login page


async def one_more(route: str, frame: str, limit: int, clients: tuple) -> list[str]:
    """`limit` + 1 frames from one client over two sockets (two rooms), one per address of `clients`:
    "held" where a budget said no."""
    sockets = [(await socket(concrete(route).replace("x1", f"room{n}"), clients[n]))[0] for n in range(2)]
    frames = []
    for communicator in sockets:
        first = await communicator.receive_json_from(timeout=FRAME) if frame == "direct" or "db/room" in route else {}
        # ws/layers/direct/: a message to the socket's own address, which its first frame names
        frames.append(f'{{"to": "{first["address"]}", "message": "flood"}}' if frame == "direct" else frame)
    answers = []
    for n in range(limit + 1):
        await sockets[n % 2].send_to(text_data=frames[n % 2])
        error = (await sockets[n % 2].receive_json_from(timeout=FRAME)).get("error", "")
        answers.append("held" if held(error) else "ok")
    for communicator in sockets:
        await communicator.disconnect()
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("clients", [(FLOODER, FLOODER), ONE_64], ids=["one-address", "two-addresses-of-one-64"])
@pytest.mark.parametrize(("route", "frame"), [(r, f) for r, f in BUDGETED.items() if r.lstrip("^").startswith("ws/")])
async def test_one_client_over_two_sockets_is_held_to_one_budget(
    route, frame, clients, settings, monkeypatch, login_clock
):
    # login_clock: the login throttle's counters emptied (the name "ada" is guessed in both variants), its clock stopped.
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS, settings.WORKER_JOBS_PER_CLIENT = 3, 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 3 logins: 0.7 s with PBKDF2
    monkeypatch.setattr(IN_FLIGHT, "limit", 3)  # ws/tasks/ (lesson 18): its budget is the process's IN_FLIGHT
    monkeypatch.setattr(IN_FLIGHT, "tasks", {})
    assert await one_more(route, frame, 3, clients) == ["ok", "ok", "ok", "held"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("clients", [(FLOODER, FLOODER), ONE_64], ids=["one-address", "two-addresses-of-one-64"])
async def test_the_join_door_is_held_to_its_attempts_per_client(clients, monkeypatch):
    # The door counts in minute windows of its clock: on the real one, a run slow enough to cross a minute's end
    # started a new count halfway and never reached 429 (a CI run beside a busy loop). Frozen at a minute's start.
    monkeypatch.setattr(join, "clock", lambda: 60.0 * 28_000_123)
    statuses = []
    for n in range(11 + 1):
        body = BUDGETED["workshop/join/"].encode()
        communicator = HttpCommunicator(application, "POST", "/workshop/join/", body=body, headers=HOST)
        communicator.scope["client"] = clients[n % 2]
        statuses.append((await communicator.get_response(timeout=FRAME))["status"])
    assert statuses[-1] == 429 and 429 not in statuses[:10]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", KEEPS_NOTHING)
async def test_what_a_stranger_sends_to_a_route_that_keeps_nothing_reaches_no_one(route, layer_calls, settings):
    # The login pages hash the stranger's password (Django's timing defence): with the fast hasher, as `ada` is.
    # PBKDF2 took 0.6 s a login on Django 6, and a CI run beside other work waited past FRAME for the page.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    before, path = await rows(), concrete(route)
    if path.startswith("/ws/"):
        communicator, connected = await socket(path)
        if connected:
            await communicator.send_to(text_data=CHAT)
        await communicator.disconnect()  # handled after the frame: the consumer has answered it
    else:
        scope = {"type": "http", "method": "POST", "path": path, "query_string": b"timeout=0.05", "client": FLOODER}
        headers = HOST + browser_headers() + [(b"content-type", b"application/x-www-form-urlencoded")]
        communicator = ApplicationCommunicator(application, {**scope, "headers": headers})
        await communicator.send_input({"type": "http.request", "body": b"message=hello&username=x&password=y"})
        assert (await communicator.receive_output(timeout=FRAME))["type"] == "http.response.start"
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(timeout=FRAME)
    assert layer_calls == [] and await rows() == before
