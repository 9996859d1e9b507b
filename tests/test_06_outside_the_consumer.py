"""Lesson 06: group_send from synchronous code (a command, a view) and a background worker.

In-process tests share the test's layer with the consumers; test_06_outside_the_consumer_slow.py runs `announce`
and `runworker` as processes, and the lesson page's form in a browser."""

import json
import warnings
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.core.management import CommandError, call_command, get_commands
from django.test import modify_settings

from harness.patience import FRAME
from layers_demo.announce import ANNOUNCER
from layers_demo.primes import WORKER_CHANNEL
from layers_demo.views import NOT_STAFF
from lessons.asgi import application
from tests.helpers import clients
from tests.helpers.clients import HOST, ORIGIN, configured

LAYERS = pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
committed_db = pytest.mark.django_db(transaction=True)  # sessions are read in another thread (lesson 07)


async def post_announcement(data: dict, session_key: str | None, csrf: bool = True) -> dict:
    """POST /layers/announce/ through the real root router, as a page's form (logged in with that session); the response."""
    body = urlencode(data).encode()
    form = [(b"content-type", b"application/x-www-form-urlencoded"), *clients.browser_headers(session_key, csrf)]
    communicator = HttpCommunicator(application, "POST", "/layers/announce/", body=body, headers=HOST + form)
    return await communicator.get_response(timeout=FRAME)


@LAYERS
async def test_the_announce_command_reaches_every_socket_in_the_room_and_no_other(layer):
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    carol = WebsocketCommunicator(application, "/ws/chat/kitchen/", headers=ORIGIN)
    await alice.connect()
    await carol.connect()
    await sync_to_async(call_command)("announce", "lobby", "The kitchen closes at nine")
    assert await alice.receive_json_from() == {"message": "The kitchen closes at nine", "sender": ANNOUNCER}
    await carol.send_json_to({"message": "in the kitchen"})
    # Had the announcement reached the kitchen, carol would get it first.
    assert (await carol.receive_json_from())["message"] == "in the kitchen"
    await alice.disconnect()
    await carol.disconnect()


@pytest.mark.parametrize(("room", "text", "reason"), [("no room", "hi", "room name"), ("lobby", "", "got 0")])
def test_the_announce_command_names_what_is_wrong_with_its_arguments(room, text, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("announce", room, text)


def test_the_announce_command_says_first_that_without_redis_url_no_server_got_it(capsys):
    call_command("announce", "lobby", "hello?")
    out, err = capsys.readouterr()
    assert err.startswith("Not delivered to any server: REDIS_URL is unset") and "Announced" not in out


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
def test_the_announce_command_with_redis_down_says_so_in_one_line(layer, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, hosts=["redis://127.0.0.1:1/0"])  # no one there
    with pytest.raises(CommandError, match="not delivered: the channel layer's Redis did not answer"):
        call_command("announce", "lobby", "hello?")


@committed_db
@LAYERS
async def test_the_announce_view_reaches_every_socket_in_the_room(layer, staff_session_key):
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    response = await post_announcement({"room": "lobby", "text": "Hi from a view"}, staff_session_key)
    assert response["status"] == 200
    assert await alice.receive_json_from() == {"message": "Hi from a view", "sender": ANNOUNCER}
    await alice.disconnect()


@committed_db
@pytest.mark.parametrize(
    ("data", "csrf", "status"),
    [({"room": "no room", "text": "hi"}, True, 400), ({"room": "lobby"}, True, 400), ({"room": "lobby"}, False, 403)],
    ids=["bad room", "no text", "no CSRF token"],
)
async def test_the_announce_view_refuses_bad_or_forged_posts(staff_session_key, data, csrf, status):
    response = await post_announcement(data, staff_session_key, csrf)
    assert response["status"] == status


@committed_db
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "not-staff"])
async def test_the_announce_view_refuses_anyone_but_a_staff_user(ada_session_key, logged_in):
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    response = await post_announcement({"room": "lobby", "text": "hi"}, ada_session_key if logged_in else None)
    assert (response["status"], json.loads(response["body"])) == (403, {"error": NOT_STAFF})
    await alice.send_json_to({"message": "after"})  # had the refused post announced anything, alice would get it first
    assert (await alice.receive_json_from())["message"] == "after"
    await alice.disconnect()


# channels' Worker hands each application a plain lambda as `send`; SyncConsumer wraps it in
# async_to_sync, which warns (and pytest turns warnings into errors here). runworker just warns.
@pytest.mark.filterwarnings("ignore:async_to_sync was passed a non-async-marked callable")
@pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
async def test_the_worker_answers_the_socket_that_asked(layer, primes_worker):
    communicator = WebsocketCommunicator(application, "/ws/layers/primes/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_json_to({"below": 100})
    assert await communicator.receive_json_from() == {"queued": 100}
    assert await communicator.receive_json_from() == {"below": 100, "primes": 25}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [{"text": '{"below": -1}'}, {"text": '{"below": "9"}'}, {"text": "true"}, {"text": "[" * 5000}, {"bytes": b"9"}],
)
async def test_the_primes_socket_answers_bad_input_with_an_error(frame):
    communicator = WebsocketCommunicator(application, "/ws/layers/primes/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_input({"type": "websocket.receive", **frame})
    assert 'expected {"below": N}' in (await communicator.receive_json_from())["error"]
    await communicator.disconnect()


@pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
async def test_a_full_worker_queue_is_reported_to_the_asking_socket(layer, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, capacity=1)
    communicator = WebsocketCommunicator(application, "/ws/layers/primes/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_json_to({"below": 10})  # no worker runs: the job waits
    await communicator.send_json_to({"below": 20})
    assert await communicator.receive_json_from() == {"queued": 10}
    assert "queue is full" in (await communicator.receive_json_from())["error"]
    await communicator.disconnect()


async def test_async_to_sync_in_the_thread_of_a_running_event_loop_raises_runtime_error():
    group_send = async_to_sync(get_channel_layer().group_send)
    # This test runs on the event loop, like an async consumer: it must `await` instead.
    with pytest.raises(RuntimeError, match="You cannot use AsyncToSync in the same thread as an async event loop"):
        group_send("chat-lobby", {"type": "chat.message", "message": "hello?", "sender": ANNOUNCER})


async def test_a_layer_call_without_await_or_async_to_sync_sends_nothing_and_warns():
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()

    def announce_forgetting_async_to_sync():  # sync code, as in a view, a command or a signal receiver
        get_channel_layer().group_send("chat-lobby", {"type": "chat.message", "message": "hello?", "sender": ANNOUNCER})

    # The call only makes a coroutine; dropped unrun, Python warns (an error under pytest without this).
    # Recorded, not pytest.warns(): that re-raises every other warning met in the block, and a collection of
    # garbage there may finalize what an earlier test of this process left (seen once: a ResourceWarning).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await sync_to_async(announce_forgetting_async_to_sync)()
    never_awaited = "coroutine 'InMemoryChannelLayer.group_send' was never awaited"
    assert any(w.category is RuntimeWarning and never_awaited in str(w.message) for w in caught)
    await alice.send_json_to({"message": "anyone?"})
    assert (await alice.receive_json_from())["message"] == "anyone?"  # "hello?" never came first
    await alice.disconnect()


def test_runworker_is_an_unknown_command_without_channels_in_installed_apps():
    assert get_commands()["runworker"] == "channels"  # the channels app provides it
    # modify_settings also clears get_commands()'s cache, on the way in and out.
    with modify_settings(INSTALLED_APPS={"remove": ["channels"]}):
        with pytest.raises(CommandError, match="Unknown command: 'runworker'"):
            call_command("runworker", WORKER_CHANNEL)
