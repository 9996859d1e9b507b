"""Check 08.1: send a room's saved history on connect.

The task's rules, in its order: 1. the first frame is the route's room's last five texts, oldest first, as saved, for
any room name the route takes and texts of any length; 2. a room with few or many messages gets at most five; 3. a
later socket sees messages saved since the first, which hears nothing more; 4. a big room is not read whole for five
texts, and the saving order counts, not the clock; 5. the query runs off the loop and on Django's sync thread; 6. and
7. the standard battery of exercise.toml.
"""

import asyncio

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from db_demo.models import ChatMessage
from exercises.probes import AS_SENT, FRAME, close_all, connect, frame, load, meeting, never_blocks, nothing_more
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first, suspending
from .probes import history_of, save, saved_by_two_clocks, whole_reads

# Room names the route's <str:room> takes beyond lobby's kind (anything but a slash, up to the model's 50); and texts
# past lesson 08's limit for what a client sends (4,096), which the history sends whole all the same.
ROOMS = ["Caf\u00e9 au lait", "room.2", "a+b", "R" * 50, "\u65e5\u672c", "7"]
LONG = ["x" * 4_999, "y" * 70_000]
RULE = 'HistoryConsumer sends {"history": [...]} first: the texts of its room\'s last 5 saved messages, oldest first'


def app():
    return URLRouter([path("<str:room>/", load("08.1", RULE).HistoryConsumer.as_asgi())])


@pytest.mark.rule(1, 5)
@pytest.mark.django_db(transaction=True)
async def test_the_first_frame_is_the_rooms_last_five_texts_oldest_first():
    lobby = await save("lobby", 7)
    kitchen = await save("kitchen", 2, prefix=AS_SENT)  # spaces, capitals, line breaks, <, & and emoji
    await save("Lobby", 1, prefix="other room ")  # rooms whose names are close to lobby's, saved last: none is it
    await save("lobby-annex", 1, prefix="another room ")
    application = suspending(app())
    await history_of(application, "warm-up")  # what a process does once (imports, a connection) stays out of the timing
    with queries_by_thread() as ran, queries_told_first(ran, RULE):
        await ChatMessage.objects.acount()  # the check's own query, on Django's sync thread: yours go there too
        async with never_blocks():  # the query runs in a thread: the loop keeps serving other sockets
            first, second = (
                WebsocketCommunicator(pair := meeting(application), "/lobby/"),  # both reach their first send
                WebsocketCommunicator(pair, "/kitchen/"),  # before either goes on: state on the class shows
            )
            opened = await asyncio.gather(first.connect(timeout=FRAME), second.connect(timeout=FRAME))  # at once
            assert all(accepted for accepted, _ in opened), "expected both sockets to be accepted"
            proved("sockets", 2)
            got = {"lobby": await frame(first), "kitchen": await frame(second)}
            expected = {"lobby": {"history": lobby[-5:]}, "kitchen": {"history": kitchen}}
            assert got == expected, (
                f"expected {expected}: each socket gets the last five texts of its own room (the route's <room>, "
                f"the name exactly: Lobby and lobby-annex are other rooms), oldest first, got {got}. Each text goes "
                "as it was saved, never stripped, escaped or lowercased: escaping is the page's job when it shows it"
            )
        await close_all(first, second)
    orm_where_it_belongs(ran, RULE)


@pytest.mark.rule(2)
@pytest.mark.django_db(transaction=True)
async def test_a_room_with_few_or_many_messages_gets_at_most_five():
    application = app()
    for count in (0, 1, 4, 5, 6):
        texts = await save(f"hall{count}", count)
        got = await history_of(application, f"hall{count}")
        assert got == {"history": texts[-5:]}, (
            f"a room holding {count} saved message(s) must get {{'history': {texts[-5:]}}}, got {got}: "
            "at most five, all of them when there are fewer, an empty list for an empty room"
        )
    proved("boundaries", 5)


@pytest.mark.rule(3)
@pytest.mark.django_db(transaction=True)
async def test_a_later_socket_sees_messages_saved_since_the_first():
    application = app()
    await save("lobby", 3)
    first = await connect(application, "/lobby/")  # stays open while the next socket of its room connects
    before = await frame(first)
    await ChatMessage.objects.acreate(room="lobby", text="new one")
    after = await history_of(application, "lobby")
    assert after == {"history": ["m3", "m2", "m1", "new one"]}, (
        f"the first socket got {before}; a message was saved since, and the next socket got {after}: "
        "history is read from the database for every socket, never kept from an earlier one"
    )
    assert await nothing_more(first, 0.1), (
        "the first socket, still open in the room, got another frame when the next socket connected: the history "
        "goes to the socket that connected, on its own socket (self.send), never to the room"
    )
    await close_all(first)


@pytest.mark.rule(4)
@pytest.mark.django_db(transaction=True)
async def test_a_big_room_is_not_read_whole_for_five_texts():
    texts = await save("hall", 300)
    with queries_by_thread() as ran:
        got = await history_of(app(), "hall")
    assert got == {"history": texts[-5:]}, f"a room of 300 messages must get its last five, got {got}"
    assert not (whole := whole_reads(ran)), (
        f"to send five texts of a room of 300 messages, a query read the whole room ({whole[0][:80]}...): ask "
        "the database for the newest five only (order by -id, slice [:5]: SQL's LIMIT), or a big room loads "
        "every message it ever had for every socket that connects"
    )
    proved("boundaries", 1)


@pytest.mark.rule(4)
@pytest.mark.django_db(transaction=True)
async def test_the_saving_order_counts_not_the_clock():
    texts = await saved_by_two_clocks("hall", 8)  # five in one instant, then three by a clock a second behind
    got = await history_of(app(), "hall")
    assert got == {"history": texts[-5:]}, (
        f"8 messages of a room, the first five saved in one instant and the last three by a server whose clock runs "
        f"a second behind: expected {{'history': {texts[-5:]}}}, got {got}. Two messages can share a created "
        "timestamp, and two clocks disagree: order by -id, the order the rows were saved, never by created"
    )
    proved("boundaries", 1)


@pytest.mark.rule(1)
@pytest.mark.django_db(transaction=True)
async def test_any_room_the_route_takes_gets_its_texts_whole():
    application = app()
    for room in ROOMS:
        texts = [*await save(room, 1, prefix=LONG[0]), *await save(room, 1, prefix=LONG[1])]
        got = await history_of(application, room)
        lengths = isinstance(got, dict) and isinstance(got.get("history"), list)
        shown = f"texts of {[len(str(text)) for text in got['history']]} characters" if lengths else str(got)[:120]
        assert got == {"history": texts}, (
            f"the room {room!r} holds two texts of {len(texts[0]):,} and {len(texts[1]):,} characters, and its socket "
            f"got {shown}: the route's <room> is any "
            "name without a slash, the room's own (never checked against the chat's names), and each saved text "
            "goes whole; lesson 08's 4,096-character limit is for what a client sends, not for what was saved"
        )
    proved("boundaries", len(ROOMS))


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
