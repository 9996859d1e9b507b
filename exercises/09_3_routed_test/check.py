"""Check 09.3 (fix): the student's test routes the consumer (URLRouter puts url_route in the scope), and can fail."""

import asyncio
import gc
import json
import warnings

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from exercises.probes import load, proved, your_test_fails_and_ends_its_sockets

RULE = (
    'scope["url_route"] is put there by the router that matched the URL, not by the communicator: '
    "test the consumer the way the project serves it"
)


ENDINGS: list[str] = []  # how each correct consumer the student's test started came to an end


class RoomGreeter(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:  # a communicator never disconnected is cancelled when it is thrown away
            ENDINGS.append("cancelled")
            raise
        ENDINGS.append("disconnected")

    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class CompactRoomGreeter(RoomGreeter):
    """A correct one too: the same object, in JSON without spaces (as a JavaScript server or orjson writes it)."""

    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room}, separators=(",", ":"))})


class GreetsInCapitals(RoomGreeter):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room.upper()})})


class RoomOnTheClass(RoomGreeter):
    room = None  # the first socket's room, kept on the class: every later socket is greeted with it

    async def websocket_connect(self, event):
        if RoomOnTheClass.room is None:
            RoomOnTheClass.room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": RoomOnTheClass.room})})


class LatestRoomOnTheClass(RoomGreeter):
    """Keeps the latest socket's room on its class and greets once a lookup is done (the room's topic, say).

    The lookup ends when another socket connects, or after 0.8 s: a socket opened before the first
    greeting has been read makes both greetings name the later room. A test that opens and greets one
    room at a time never sees it; two rooms open at once, both greetings read after, do.
    """

    room = None
    waiting: list[asyncio.Event] = []

    async def websocket_connect(self, event):
        LatestRoomOnTheClass.room = self.scope["url_route"]["kwargs"]["room"]
        for lookup in LatestRoomOnTheClass.waiting:  # a new socket: the lookups under way are done
            lookup.set()
        await self.send({"type": "websocket.accept"})
        lookup = asyncio.Event()
        LatestRoomOnTheClass.waiting.append(lookup)
        try:
            await asyncio.wait_for(lookup.wait(), 0.8)
        except TimeoutError:
            pass
        finally:
            LatestRoomOnTheClass.waiting.remove(lookup)
        await self.send({"type": "websocket.send", "text": json.dumps({"room": LatestRoomOnTheClass.room})})


class GreetsWithThePath(RoomGreeter):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": self.scope["path"]})})


class GreetsInABinaryFrame(RoomGreeter):
    """The right JSON in the wrong kind of frame: a page's JSON.parse(event.data) gets a Blob, not the greeting."""

    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "bytes": json.dumps({"room": room}).encode()})


class NeverGreets(RoomGreeter):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})


def your_test():
    return load("09.3", RULE).test_the_room_greets_its_client


async def run_your_test(consumer) -> None:
    """Your test on `consumer`; a coroutine it never awaited fails the check with a sentence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await your_test()(consumer)
        finally:
            gc.collect()  # a coroutine nothing awaited warns when it is collected
    unawaited = [str(w.message) for w in caught if "was never awaited" in str(w.message)]
    if unawaited:
        pytest.fail(
            f"your test called a coroutine function without await ({unawaited[0]}): that only makes a coroutine, "
            "and nothing runs it; await every connect, receive and disconnect",
            pytrace=False,
        )


CORRECT = {
    RoomGreeter: "",
    CompactRoomGreeter: (
        ' It sends {"room":"lobby"}, the same JSON object without spaces: compare the decoded object '
        "(receive_json_from()), never the JSON text, which a correct consumer may space as it likes"
    ),
}


@pytest.mark.parametrize("correct", list(CORRECT), ids=lambda c: c.__name__)
async def test_your_test_passes_on_a_correct_room_consumer(correct):
    try:
        await run_your_test(correct)
    except KeyError as error:  # raised inside the consumer, re-raised by the communicator
        raise AssertionError(f"your test crashed on a correct consumer: KeyError: {error}. {RULE}") from error
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct room consumer ({type(error).__name__}: {error}): "
            f"assert only what every correct room consumer does.{CORRECT[correct]}",
            pytrace=False,
        )


async def test_your_test_disconnects_every_socket_it_opens():
    ENDINGS.clear()
    await run_your_test(RoomGreeter)
    gc.collect()  # a communicator your test dropped cancels its consumer now
    await asyncio.sleep(0.05)
    cancelled = ENDINGS.count("cancelled")
    assert not cancelled, (
        f"{cancelled} of the {len(ENDINGS)} consumer(s) your test started never got a disconnect: they were still "
        "running after your test, until the thrown-away communicator cancelled them. A test ends every socket it opened"
    )


BROKEN = {
    GreetsInCapitals: "it greets with the room in capitals",
    RoomOnTheClass: "it keeps the first socket's room on its class and greets every later socket with it",
    LatestRoomOnTheClass: (
        "it keeps the latest socket's room on its class and greets after a lookup, so two sockets open at once "
        "are both greeted with the later one's room; open both rooms, then read both greetings"
    ),
    GreetsWithThePath: "it greets with the socket's whole path, a text holding the room's name but not the name",
    NeverGreets: "it never greets",
    GreetsInABinaryFrame: (
        "it greets in a binary frame, the right JSON as bytes, which a page reads as a Blob, never as "
        "{\"room\": ...}: json.loads() takes bytes too, so read the greeting with receive_json_from(), which "
        "asserts a text frame"
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_room_consumer(broken):
    RoomOnTheClass.room = LatestRoomOnTheClass.room = None
    LatestRoomOnTheClass.waiting.clear()
    try:
        await run_your_test(broken)
    except (AssertionError, TimeoutError):
        proved("broken consumers", 1)
        return
    except KeyError as error:
        raise AssertionError(f"your test crashed on {broken.__name__}: KeyError: {error}. {RULE}") from error
    pytest.fail(
        f"your test passed on {broken.__name__} ({BROKEN[broken]}): a test that cannot fail proves nothing",
        pytrace=False,
    )


async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(run_your_test, GreetsInCapitals, BROKEN[GreetsInCapitals])
