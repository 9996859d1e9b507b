"""Lesson 08: the ORM from async consumers, and the room that remembers (ws/db/room/<room>/).

The liveblog is in tests/test_08_liveblog.py; real processes in tests/test_08_database_slow.py."""

import io
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SynchronousOnlyOperation
from django.core.management import call_command

from db_demo.consumers import RoomHistoryConsumer
from db_demo.liveblog import LiveblogConsumer
from db_demo.models import ChatMessage, Post
from db_demo.signals import LIVEBLOG_GROUP
from lessons.asgi import application
from tests.helpers.clients import ORIGIN, group_members
from tests.helpers.faults import run_until_a_send_fails

TITLE, BODY = "Live from lesson 08", "saved, committed, sent"


def save_messages(room: str, texts: list[str]) -> None:
    ChatMessage.objects.bulk_create(ChatMessage(room=room, text=text) for text in texts)


@pytest.mark.django_db
def test_every_model_change_has_its_migration(settings):
    # The tests build their database from the models: --nomigrations in pyproject.toml,
    # which hides the migrations behind MIGRATION_MODULES. Here they count again.
    settings.MIGRATION_MODULES = {}
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())  # SystemExit(1) if one is missing


# --- the ORM is synchronous ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "orm_call",
    [
        lambda: ChatMessage.objects.count(),
        lambda: list(ChatMessage.objects.filter(room="lobby")),
        lambda: Post.objects.create(title=TITLE, body=BODY),
    ],
    ids=["count", "evaluate-a-lazy-queryset", "create"],
)
async def test_calling_the_orm_directly_in_async_code_raises_synchronous_only_operation(orm_call):
    with pytest.raises(SynchronousOnlyOperation):
        orm_call()


@pytest.mark.django_db(transaction=True)
async def test_database_sync_to_async_runs_the_same_orm_calls_in_a_worker_thread():
    await database_sync_to_async(save_messages)("lobby", ["one", "two"])
    count = await database_sync_to_async(ChatMessage.objects.filter(room="lobby").count)()
    assert count == 2


# --- ws/db/room/<room>/: the chat with memory ------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_room_socket_first_receives_the_last_50_messages_oldest_first():
    await database_sync_to_async(save_messages)("lobby", [f"m{i}" for i in range(55)])
    await database_sync_to_async(save_messages)("kitchen", ["another room"])
    communicator = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    first = await communicator.receive_json_from()
    assert connected
    assert [item["message"] for item in first["history"]] == [f"m{i}" for i in range(5, 55)]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_accepted_message_is_saved_before_it_is_broadcast():
    alice = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    for communicator in (alice, bob):
        await communicator.connect()
        assert await communicator.receive_json_from() == {"history": []}
    await alice.send_json_to({"message": "remember me"})
    broadcast = await bob.receive_json_from()
    carol = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    await carol.connect()
    history = await carol.receive_json_from()
    # The broadcast already carries the row's id: it was saved first.
    assert broadcast["message"] == "remember me"
    assert history == {"history": [broadcast]}
    assert await alice.receive_json_from() == broadcast
    for communicator in (alice, bob, carol):
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_messages_reach_their_room_in_order_and_no_other_room():
    alice = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    carol = WebsocketCommunicator(application, "/ws/db/room/kitchen/", headers=ORIGIN)
    for communicator in (alice, bob, carol):
        await communicator.connect()
        await communicator.receive_json_from()  # the history
    for text in ("one", "two", "three"):
        await alice.send_json_to({"message": text})
    received = [(await bob.receive_json_from())["message"] for _ in range(3)]
    assert received == ["one", "two", "three"]
    await carol.send_json_to({"message": "in the kitchen"})
    # Had the lobby's messages reached the kitchen, carol would get them first.
    assert (await carol.receive_json_from())["message"] == "in the kitchen"
    for communicator in (alice, bob, carol):
        await communicator.disconnect()


@pytest.mark.parametrize("room", ["a" * 51, "caf%C3%A9", "dot.ted", "semi;colon"])
async def test_an_invalid_room_name_is_accepted_then_closed_4400_like_lesson_04(room):
    communicator = WebsocketCommunicator(application, f"/ws/db/room/{room}/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected is True
    assert await communicator.receive_output() == {
        "type": "websocket.close",
        "code": 4400,
        "reason": "a room name is 1 to 50 letters, digits, _ or -",
    }
    await communicator.disconnect()


BAD_FRAMES = [
    pytest.param({"text_data": "hello"}, "not JSON", id="not-json"),
    pytest.param({"text_data": '["hello"]'}, "got list", id="not-an-object"),
    pytest.param({"text_data": '{"text": "hello"}'}, 'expected a "message" key', id="no-message"),
    pytest.param({"text_data": '{"message": ""}'}, "got 0", id="empty-message"),
    pytest.param({"text_data": '{"message": 42}'}, "got int", id="non-string-message"),
    pytest.param({"text_data": json.dumps({"message": "x" * 4097})}, "got 4097", id="too-long"),
    pytest.param({"bytes_data": b'{"message": "hello"}'}, "binary frame", id="binary-frame"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("frame", "reason"), BAD_FRAMES)
async def test_bad_input_gets_an_error_saves_nothing_and_keeps_the_socket_open(frame, reason):
    communicator = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    await communicator.connect()
    await communicator.receive_json_from()  # the history
    await communicator.send_to(**frame)
    reply = await communicator.receive_json_from()
    saved = await database_sync_to_async(ChatMessage.objects.count)()
    await communicator.send_json_to({"message": "still open"})
    assert reason in reply["error"]
    assert saved == 0
    assert (await communicator.receive_json_from())["message"] == "still open"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_error_goes_to_the_sender_only():
    sender = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    other = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    for communicator in (sender, other):
        await communicator.connect()
        await communicator.receive_json_from()  # the history
    await sender.send_to(text_data="not json")
    assert "error" in await sender.receive_json_from()
    await sender.send_json_to({"message": "sorry"})
    assert (await other.receive_json_from()).get("message") == "sorry"  # the error never came first
    await sender.disconnect()
    await other.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_room_socket_whose_send_fails_still_leaves_its_group():
    """Its first send (the history) raises, as Daphne's does once the client is leaving; no
    websocket.disconnect follows (django/channels#1466), so only __call__'s finally can leave the group."""
    scope = {"path": "/ws/db/room/lobby/", "url_route": {"args": (), "kwargs": {"room": "lobby"}}}
    scope["user"] = AnonymousUser()
    await run_until_a_send_fails(RoomHistoryConsumer.as_asgi(), scope, [{"type": "websocket.connect"}])
    assert await group_members("db-room-lobby") == set()


async def test_a_liveblog_socket_whose_send_fails_still_leaves_its_group():
    events = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hi"}]  # answered with an error
    await run_until_a_send_fails(LiveblogConsumer.as_asgi(), {"path": "/ws/liveblog/"}, events)
    assert await group_members(LIVEBLOG_GROUP) == set()
