"""The room consumers a student's routed test is run on (check 09.3): two correct ones, and BROKEN.

Each greets its client with {"room": <the room in its URL>}, read from scope["url_route"], which
only a URLRouter puts there: a test that talks to the bare consumer crashes on the correct ones
(django/channels#983). Each broken one greets wrongly in one way, and BROKEN says which in a
sentence: the check's message when the student's test passes on it, and the battery's
(exercise.toml names GreetsInCapitals).
"""

import asyncio
import gc
import json
import warnings
from contextlib import suppress

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

SOCKETS = {"opened": 0, "disconnected": 0}  # how many sockets the student's test opened to a RoomGreeter, and ended


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


CORRECT = [RoomGreeter, CompactRoomGreeter]  # your test must pass on each


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


def forget_the_rooms_on_classes() -> None:
    """Forget the rooms kept on classes: each run of a test starts with none, as a new server does."""
    RoomOnTheClass.kept = LatestRoomOnTheClass.kept = None


class GreetsWithThePath(RoomGreeter):
    def room(self) -> str:
        return self.scope["path"]


class GreetsInABinaryFrame(RoomGreeter):
    frame = "bytes"  # the right JSON in the wrong kind of frame: a page's JSON.parse(event.data) gets a Blob


class NeverGreets(RoomGreeter):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})


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


async def crash_or_unawaited_told(test, consumer: type, rule: str) -> None:
    """`test(consumer)`; a KeyError raised in the consumer, or a coroutine the test never awaited, fails the check.

    Each is told in a sentence: the KeyError with `rule` (where scope["url_route"] comes from),
    the unawaited coroutine by its name, since nothing else shows that a disconnect never ran.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await test(consumer)
        except KeyError as error:  # raised inside the consumer, re-raised by the communicator
            pytest.fail(f"your test crashed on {consumer.__name__}: KeyError: {error}. {rule}", pytrace=False)
        finally:
            gc.collect()  # a coroutine nothing awaited warns when it is collected
    if unawaited := [str(w.message) for w in caught if "was never awaited" in str(w.message)]:
        pytest.fail(
            f"your test called a coroutine function without await ({unawaited[0]}): that only makes a coroutine, "
            "and nothing runs it; await every connect, receive and disconnect",
            pytrace=False,
        )
