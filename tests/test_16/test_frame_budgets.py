"""Lesson 16: what a client may ask of ws/tasks/ (lesson 18) frame by frame, and of /http/publish/ (lesson 10)
publish by publish, each held to a budget per client (tasks_demo/frames.py, http_demo/publish_budget.py)."""

import pytest
from channels.db import aclose_old_connections
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.core.cache import cache

from harness.patience import FRAME
from http_demo import publish_budget
from http_demo.longpoll import POLL_GROUP
from lessons.asgi import application
from tests.helpers.clients import HOST, ORIGIN, ORIGIN_URL, browser_headers
from tests.helpers.routes import FLOODER, ONE_64

# The sockets read task rows, and the session, in another thread: committed ones.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_task_budgets")]


async def tasks_socket(client: tuple[str, int]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/tasks/", headers=ORIGIN)
    communicator.scope["client"] = client
    assert (await communicator.connect(timeout=FRAME))[0]
    return communicator


async def answers_until_closed(communicator: WebsocketCommunicator, frame: dict, count: int) -> tuple[int, dict]:
    """Send `frame` `count` times, then read: (how many were answered, the first output that is not an answer)."""
    for _ in range(count):
        await communicator.send_json_to(frame)
    answered = 0
    while (output := await communicator.receive_output(timeout=FRAME))["type"] == "websocket.send":
        answered += 1
    return answered, output


async def test_a_flood_of_watch_frames_is_cut_with_4429_at_the_clients_budget(frozen_frames):
    ws = await tasks_socket(FLOODER)
    await ws.send_json_to({"below": 10})
    task = (await ws.receive_json_from(timeout=FRAME))["id"]
    answered, ending = await answers_until_closed(ws, {"watch": task}, 100)
    assert (answered, ending) == (4, {"type": "websocket.close", "code": 4429})  # the start frame spent one
    await ws.disconnect()


async def test_the_sockets_of_one_64_share_one_frame_budget(frozen_frames):
    first, second = await tasks_socket(ONE_64[0]), await tasks_socket(ONE_64[1])
    for _ in range(3):  # every frame counts, a bad one too: each cost the process a parse and an answer
        await first.send_json_to({"watch": "not an id"})
        assert "error" in await first.receive_json_from(timeout=FRAME)
    answered, ending = await answers_until_closed(second, {"watch": "not an id"}, 3)
    assert (answered, ending) == (2, {"type": "websocket.close", "code": 4429})
    await first.disconnect()
    await second.disconnect()


async def publish(session_key: str, client: tuple[str, int] = FLOODER) -> int:
    """One POST /http/publish/ as a logged-in course page sends it; its status."""
    headers = HOST + [(b"origin", ORIGIN_URL.encode())] + browser_headers(session_key)
    communicator = HttpCommunicator(application, "POST", "/http/publish/", body=b"hello", headers=headers)
    communicator.scope["client"] = client
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()
    await aclose_old_connections()  # AuthMiddlewareStack's session read left the sync thread's connection open
    return response["status"]


async def test_one_account_publishing_is_cut_at_its_budget_and_the_refused_reach_no_poll(
    ada_session_key, settings, monkeypatch
):
    settings.PUBLISH_LIMIT_PER_USER = 3
    monkeypatch.setattr(publish_budget, "clock", lambda: 60.0 * 29_000_000)  # a window's start, frozen
    cache.clear()
    layer = get_channel_layer()
    listener = await layer.new_channel()
    await layer.group_add(POLL_GROUP, listener)
    statuses = [await publish(ada_session_key) for _ in range(5)]
    heard = [(await layer.receive(listener))["message"] for _ in range(3)]
    await layer.group_send(POLL_GROUP, {"type": "marker"})
    assert statuses == [202] * 3 + [429] * 2
    assert heard == ["hello"] * 3 and await layer.receive(listener) == {"type": "marker"}
    cache.clear()


async def test_two_accounts_on_one_64_share_its_publish_budget(
    ada_session_key, staff_session_key, settings, monkeypatch
):
    settings.PUBLISH_LIMIT_PER_ADDRESS = 3  # grace is staff: each account's own budget (30) is far off
    monkeypatch.setattr(publish_budget, "clock", lambda: 60.0 * 29_000_001)
    cache.clear()
    sessions = [ada_session_key, staff_session_key] * 2
    statuses = [await publish(session, ONE_64[n % 2]) for n, session in enumerate(sessions)]
    assert statuses == [202] * 3 + [429]
    cache.clear()
