"""Check 09.1: the student's test passes on correct echoes and fails on each broken one (mutation checking).

Your test passes on a correct echo, async and sync, disconnecting every socket it opens; it fails on each broken echo
of BROKEN (each says what is wrong with it), and when it fails, it still ends its sockets.
"""

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.websocket import WebsocketConsumer

from exercises.probes import HowItEnded, load, on_a_correct_consumer, proved, your_test_disconnects_every_socket
from exercises.probes import your_test_fails_and_ends_its_sockets

RULE = "test_echo(consumer) must pass on a correct echo and raise AssertionError on a broken one"


class GoodEcho(HowItEnded, AsyncConsumer):
    """Answers each frame with answer(kind, data), a list of frames (a correct echo: the frame itself), to sockets()."""

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        kind = "text" if event.get("text") is not None else "bytes"
        for frame in self.answer(kind, event[kind]):
            for socket in self.sockets():
                await socket.send({"type": "websocket.send", **frame})

    def answer(self, kind: str, data) -> list[dict]:
        return [{kind: data}]

    def sockets(self) -> list:
        return [self]

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class SyncGoodEcho(HowItEnded, WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        # A copy, as an echo that decodes and encodes again sends: equal to the frame, not the same object.
        text = None if text_data is None else text_data.encode().decode()
        data = None if bytes_data is None else bytes(bytearray(bytes_data))
        self.send(text_data=text, bytes_data=data)


def echo(name: str, text=lambda t: {"text": t}, binary=lambda b: {"bytes": b}, times: int = 1, **handlers) -> type:
    """A broken GoodEcho: text(t) or binary(b) answers a frame (None: nothing) `times` times; handlers replace its."""

    def answer(self, kind, data):
        return [frame] * times if (frame := (text if kind == "text" else binary)(data)) else []

    return type(name, (GoodEcho,), {"answer": answer, **handlers})


async def forgets(self, event):
    """A handler that forgot its work: no accept (a browser's socket never opens), no StopConsumer (it runs on)."""


async def echoes_then_stops(self, event):
    await GoodEcho.websocket_receive(self, event)
    raise StopConsumer()  # in the wrong handler: the socket's first frame is its last


class EchoesToEveryone(GoodEcho):
    opened: list = []  # every socket of the class, in the order they connected: kept on the class, not on self

    async def websocket_connect(self, event):
        type(self).opened.append(self)
        await super().websocket_connect(event)

    def sockets(self):
        return list(self.opened)


class AnswersTheNewestSocket(EchoesToEveryone):
    opened: list = []

    def sockets(self):
        return self.opened[-1:]


class AnswersTheFirstSocket(EchoesToEveryone):
    opened: list = []

    def sockets(self):
        return self.opened[:1]


def as_text_if_it_reads_as_text(data: bytes) -> dict:
    text = data.decode("utf-8", "replace")
    return {"text": text} if text.encode() == data else {"bytes": data}  # bytes that are no UTF-8 came back changed


Shouts = echo("Shouts", text=lambda t: {"text": t.upper()})
BROKEN = {  # each broken echo, and what is wrong with it
    echo("NeverAccepts", websocket_connect=forgets): "it never accepts the socket",
    echo("DropsBytes", binary=lambda b: None): "it never answers a binary frame",
    echo("AddsANewline", text=lambda t: {"text": t + "\n"}): "it adds a newline to the text",
    Shouts: "it changes the text",
    echo("AsciiOnly", lambda t: {"text": t.encode("ascii", "replace").decode()}): "it turns non-ASCII letters into ?",
    echo("BytesThroughText", binary=lambda b: {"bytes": b.decode("utf-8", "replace").encode()}): (
        "it passes bytes through UTF-8, so bytes that are no text come back changed"
    ),
    EchoesToEveryone: "it sends every frame to every open socket, not only to its sender",
    AnswersTheNewestSocket: "it keeps its socket on the class, so while two are open every echo goes to the newest",
    AnswersTheFirstSocket: (
        "it keeps the socket that connected first on the class, so the second socket's frames are echoed to the "
        "first: send frames from both sockets, and check each comes back to its own sender"
    ),
    echo("AnswersTwice", times=2): "it sends every echo twice",
    echo("StopsAfterOneEcho", websocket_receive=echoes_then_stops): (
        "it stops after its first echo, so a socket's second frame is never answered"
    ),
    echo("NeverStops", websocket_disconnect=forgets): (
        "it never raises StopConsumer, so it keeps running after the client left, until disconnect() gives up and "
        "cancels it: future.done() is true then too, future.cancelled() tells the two apart"
    ),
    echo("AnswersTextInBytesAsText", binary=as_text_if_it_reads_as_text): (
        "it answers a binary frame whose bytes read as UTF-8 with a text frame, the right characters in the wrong "
        'kind of frame: send bytes that are text too (b"plain bytes"), and check they come back as bytes'
    ),
}


def your_test():
    return load("09.1", RULE).test_echo


@pytest.mark.parametrize("correct", [GoodEcho, SyncGoodEcho], ids=lambda c: c.__name__)
async def test_your_test_passes_on_a_correct_echo(correct):
    try:
        await on_a_correct_consumer(your_test(), correct)
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct echo ({type(error).__name__}: {error}): "
            "assert only what every correct echo does",
            pytrace=False,
        )


@pytest.mark.parametrize("correct", [GoodEcho, SyncGoodEcho], ids=lambda c: c.__name__)
async def test_your_test_disconnects_every_socket_it_opens(correct):
    await your_test_disconnects_every_socket(your_test(), correct)


@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_echo(broken):
    EchoesToEveryone.opened[:] = AnswersTheNewestSocket.opened[:] = AnswersTheFirstSocket.opened[:] = []
    try:
        await your_test()(broken)
    except (AssertionError, TimeoutError):
        proved("broken echoes", 1)
        return
    pytest.fail(f"your test passed on {broken.__name__}, a broken echo: {BROKEN[broken]}", pytrace=False)


async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(your_test(), Shouts, BROKEN[Shouts])
