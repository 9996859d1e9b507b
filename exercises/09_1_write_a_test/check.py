"""Check 09.1: the student's test passes on correct echoes and fails on each broken one (mutation checking)."""

import asyncio
import gc

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.websocket import WebsocketConsumer

from exercises.probes import load, proved, your_test_fails_and_ends_its_sockets

RULE = "test_echo(consumer) must pass on a correct echo and raise AssertionError on a broken one"


ENDINGS: list[str] = []  # how each correct echo the student's test started came to an end


class Recorded:
    """Notes how the consumer ended: "disconnected" (StopConsumer after a disconnect) or "cancelled"."""

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:  # a communicator never disconnected is cancelled when it is thrown away
            ENDINGS.append("cancelled")
            raise
        ENDINGS.append("disconnected")


class GoodEcho(Recorded, AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        key = "text" if event.get("text") is not None else "bytes"
        await self.send({"type": "websocket.send", key: event[key]})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class SyncGoodEcho(Recorded, WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        # A copy, as an echo that decodes and encodes again sends: equal to the frame, not the same object.
        text = None if text_data is None else text_data.encode().decode()
        data = None if bytes_data is None else bytes(bytearray(bytes_data))
        self.send(text_data=text, bytes_data=data)


class NeverAccepts(GoodEcho):
    async def websocket_connect(self, event):
        pass  # forgot to accept: a browser's socket never opens


class AddsANewline(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"] + "\n"})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})


class DropsBytes(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})


class Shouts(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"].upper()})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})


class AsciiOnly(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            text = event["text"].encode("ascii", "replace").decode()
            await self.send({"type": "websocket.send", "text": text})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})


class BytesThroughText(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})
        else:
            data = event["bytes"].decode("utf-8", "replace").encode()
            await self.send({"type": "websocket.send", "bytes": data})


class EchoesToEveryone(GoodEcho):
    everyone: list = []  # every open socket of the class: one socket's frame goes to all

    async def websocket_connect(self, event):
        EchoesToEveryone.everyone.append(self)
        await super().websocket_connect(event)

    async def websocket_receive(self, event):
        key = "text" if event.get("text") is not None else "bytes"
        for consumer in EchoesToEveryone.everyone:
            await consumer.send({"type": "websocket.send", key: event[key]})

    async def websocket_disconnect(self, event):
        EchoesToEveryone.everyone.remove(self)
        raise StopConsumer()


class AnswersTheNewestSocket(GoodEcho):
    newest = None  # kept on the class, not on self: every reply goes to the socket that connected last

    async def websocket_connect(self, event):
        AnswersTheNewestSocket.newest = self
        await super().websocket_connect(event)

    async def websocket_receive(self, event):
        key = "text" if event.get("text") is not None else "bytes"
        await AnswersTheNewestSocket.newest.send({"type": "websocket.send", key: event[key]})


class AnswersTheFirstSocket(GoodEcho):
    first = None  # the socket that connected first, kept on the class: every reply goes there

    async def websocket_connect(self, event):
        if AnswersTheFirstSocket.first is None:
            AnswersTheFirstSocket.first = self
        await super().websocket_connect(event)

    async def websocket_receive(self, event):
        key = "text" if event.get("text") is not None else "bytes"
        await AnswersTheFirstSocket.first.send({"type": "websocket.send", key: event[key]})


class AnswersTextInBytesAsText(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})
            return
        try:  # "a binary frame that holds text is answered as text": the frame's type changes
            await self.send({"type": "websocket.send", "text": event["bytes"].decode()})
        except UnicodeDecodeError:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})


class AnswersTwice(GoodEcho):
    async def websocket_receive(self, event):
        for _ in range(2):
            await super().websocket_receive(event)


class StopsAfterOneEcho(GoodEcho):
    async def websocket_receive(self, event):
        await super().websocket_receive(event)
        raise StopConsumer()  # in the wrong handler: the socket's first frame is its last


class NeverStops(GoodEcho):
    async def websocket_disconnect(self, event):
        pass


def your_test():
    return load("09.1", RULE).test_echo


@pytest.mark.parametrize("correct", [GoodEcho, SyncGoodEcho], ids=lambda c: c.__name__)
async def test_your_test_passes_on_a_correct_echo(correct):
    try:
        await your_test()(correct)
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct echo ({type(error).__name__}: {error}): "
            "assert only what every correct echo does",
            pytrace=False,
        )


@pytest.mark.parametrize("correct", [GoodEcho, SyncGoodEcho], ids=lambda c: c.__name__)
async def test_your_test_disconnects_every_socket_it_opens(correct):
    ENDINGS.clear()
    await your_test()(correct)
    gc.collect()  # a communicator your test dropped cancels its consumer now
    await asyncio.sleep(0.05)
    assert ENDINGS, f"your test never opened a socket to {correct.__name__}: connect a WebsocketCommunicator to it"
    cancelled = ENDINGS.count("cancelled")
    assert not cancelled, (
        f"{cancelled} of the {len(ENDINGS)} consumer(s) your test started on {correct.__name__} never got a "
        "disconnect: they were still running after your test, until the thrown-away communicator cancelled them. "
        "A test ends every socket it opened"
    )


BROKEN = {
    NeverAccepts: "it never accepts the socket",
    DropsBytes: "it never answers a binary frame",
    AddsANewline: "it adds a newline to the text",
    Shouts: "it changes the text",
    AsciiOnly: "it turns every letter beyond ASCII into ?",
    BytesThroughText: "it passes bytes through UTF-8, so bytes that are no text come back changed",
    EchoesToEveryone: "it sends every frame to every open socket, not only to its sender",
    AnswersTheNewestSocket: "it keeps its socket on the class, so while two are open every echo goes to the newest",
    AnswersTheFirstSocket: (
        "it keeps the socket that connected first on the class, so the second socket's frames are echoed to the "
        "first: send frames from both sockets, and check each comes back to its own sender"
    ),
    AnswersTwice: "it sends every echo twice",
    StopsAfterOneEcho: "it stops after its first echo, so a socket's second frame is never answered",
    NeverStops: (
        "it never raises StopConsumer, so it keeps running after the client left, until disconnect() gives up and "
        "cancels it: future.done() is true then too, future.cancelled() tells the two apart"
    ),
    AnswersTextInBytesAsText: (
        "it answers a binary frame whose bytes read as UTF-8 with a text frame, the right characters in the wrong "
        'kind of frame: send bytes that are text too (b"plain bytes"), and check they come back as bytes'
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_echo(broken):
    try:
        await your_test()(broken)
    except (AssertionError, TimeoutError):
        proved("broken echoes", 1)
        return
    finally:
        EchoesToEveryone.everyone.clear()
        AnswersTheNewestSocket.newest = None
        AnswersTheFirstSocket.first = None
    pytest.fail(f"your test passed on {broken.__name__}, a broken echo: {BROKEN[broken]}", pytrace=False)


async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(your_test(), Shouts, BROKEN[Shouts])
