"""Check 09.3 (fix): the student's test routes the consumer (URLRouter puts url_route in the scope), and can fail.

Your test passes on every correct room consumer (its JSON spaced or not); it disconnects every socket it opens; it
fails on each broken one (the room in capitals, kept on the class, the whole path, no greeting, a binary frame); and
when it fails, it still ends its sockets.
"""

import asyncio
import gc
import json
import warnings
from contextlib import suppress

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from exercises.probes import load, proved, your_test_fails_and_ends_its_sockets

RULE = 'scope["url_route"] is put there by the router that matched the URL: test the consumer as the project serves it'
SOCKETS = {
    "opened": 0,
    "disconnected": 0,
}  # how many sockets the student's test opened to a correct consumer, and disconnected


class RoomGreeter(AsyncConsumer):
    """A correct room consumer: it accepts, then greets with {"room": <the URL's room>}; SOCKETS counts it."""

    frame, separators = "text", None  # the kind of frame it greets in; how its JSON is spaced (json.dumps's)

    def room(self) -> str:
        return self.scope["url_route"]["kwargs"]["room"]

    async def websocket_connect(self, event):
        SOCKETS["opened"] += 1
        room = self.room()  # before the accept: a scope with no route fails the connect
        await self.send({"type": "websocket.accept"})
        await self.greet(room)

    async def greet(self, room: str):
        text = json.dumps({"room": room}, separators=self.separators)
        await self.send({"type": "websocket.send", self.frame: text.encode() if self.frame == "bytes" else text})

    async def websocket_disconnect(self, event):
        SOCKETS["disconnected"] += 1
        raise StopConsumer()


class CompactRoomGreeter(RoomGreeter):
    separators = (",", ":")  # a correct one too: the same object, with no spaces (as JavaScript or orjson write it)


class GreetsInCapitals(RoomGreeter):
    def room(self) -> str:
        return super().room().upper()


class RoomOnTheClass(RoomGreeter):
    kept = None  # the first socket's room, kept on the class: every later socket is greeted with it

    def room(self) -> str:
        RoomOnTheClass.kept = RoomOnTheClass.kept or super().room()
        return RoomOnTheClass.kept


class LatestRoomOnTheClass(RoomGreeter):
    kept, lookup = None, asyncio.Event()  # the latest socket's room; a lookup a new socket ends (or 0.8 s does)

    async def websocket_connect(self, event):
        LatestRoomOnTheClass.kept = super().room()
        LatestRoomOnTheClass.lookup.set()  # a new socket: the lookup under way is done
        LatestRoomOnTheClass.lookup = lookup = asyncio.Event()
        await self.send({"type": "websocket.accept"})
        with suppress(TimeoutError):  # the room's topic, say: a socket opened meanwhile changes the room greeted
            await asyncio.wait_for(lookup.wait(), 0.8)
        await self.greet(LatestRoomOnTheClass.kept)


class GreetsWithThePath(RoomGreeter):
    def room(self) -> str:
        return self.scope["path"]


class GreetsInABinaryFrame(RoomGreeter):
    frame = "bytes"  # the right JSON in the wrong kind of frame: a page's JSON.parse(event.data) gets a Blob


class NeverGreets(RoomGreeter):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})


async def run_your_test(consumer) -> None:
    """Your test on `consumer`; a coroutine it never awaited fails the check with a sentence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await load("09.3", RULE).test_the_room_greets_its_client(consumer)
        except KeyError as error:  # raised inside the consumer, re-raised by the communicator
            pytest.fail(f"your test crashed on {consumer.__name__}: KeyError: {error}. {RULE}", pytrace=False)
        finally:
            gc.collect()  # a coroutine nothing awaited warns when it is collected
    if unawaited := [str(w.message) for w in caught if "was never awaited" in str(w.message)]:
        pytest.fail(
            f"your test called a coroutine function without await ({unawaited[0]}): that only makes a coroutine, "
            "and nothing runs it; await every connect, receive and disconnect",
            pytrace=False,
        )


PROVES_NOTHING = "a test that cannot fail proves nothing"
BROKEN = {
    GreetsInCapitals: "it greets with the room in capitals",
    RoomOnTheClass: "it keeps the first socket's room on its class and greets every later socket with it",
    LatestRoomOnTheClass: (
        "it keeps the latest room on its class: two sockets open at once both get the later one; open both, read both"
    ),
    GreetsWithThePath: "it greets with the socket's whole path, a text holding the room's name but not the name",
    NeverGreets: "it never greets",
    GreetsInABinaryFrame: (
        "it greets in a binary frame (a Blob to a page; json.loads() takes bytes too): use receive_json_from()"
    ),
}


@pytest.mark.parametrize("correct", [RoomGreeter, CompactRoomGreeter])
async def test_your_test_passes_on_a_correct_room_consumer(correct):
    try:
        await run_your_test(correct)
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct room consumer ({type(error).__name__}: {error}): "
            "assert only what every correct consumer does: compare the decoded object (receive_json_from()), not text",
            pytrace=False,
        )


async def test_your_test_disconnects_every_socket_it_opens():
    SOCKETS.update(opened=0, disconnected=0)
    await run_your_test(RoomGreeter)
    assert not (never := SOCKETS["opened"] - SOCKETS["disconnected"]), (
        f"{never} of the {SOCKETS['opened']} consumer(s) your test started never got a disconnect: they were still "
        "running after your test, until the thrown-away communicator cancelled them. A test ends every socket it opened"
    )


@pytest.mark.parametrize("broken", list(BROKEN))
async def test_your_test_fails_on_a_broken_room_consumer(broken):
    RoomOnTheClass.kept = LatestRoomOnTheClass.kept = None
    try:
        await run_your_test(broken)
    except (AssertionError, TimeoutError):
        return proved("broken consumers", 1)
    pytest.fail(f"your test passed on {broken.__name__} ({BROKEN[broken]}): {PROVES_NOTHING}", pytrace=False)


async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(run_your_test, GreetsInCapitals, BROKEN[GreetsInCapitals])
