"""The echo consumers a student's test_echo(consumer) is run on (check 09.1): two correct ones, and BROKEN.

A test proves something only if it passes on every correct echo and fails on each broken one.
Each broken echo breaks one promise of an echo, and BROKEN says which in a sentence: the
check's message when the student's test passes on it, and the battery's (exercise.toml names Shouts).
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.websocket import WebsocketConsumer

from exercises.probes.your_tests import HowItEnded


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
    """A correct echo written as most are: a sync WebsocketConsumer, its frames run in a thread."""

    def receive(self, text_data=None, bytes_data=None):
        # A copy, as an echo that decodes and encodes again sends: equal to the frame, not the same object.
        text = None if text_data is None else text_data.encode().decode()
        data = None if bytes_data is None else bytes(bytearray(bytes_data))
        self.send(text_data=text, bytes_data=data)


CORRECT = [GoodEcho, SyncGoodEcho]  # your test must pass on each


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


def forget_the_sockets_on_classes() -> None:
    """Empty the lists of sockets kept on classes: each run of a test starts with none open, as a new server does."""
    EchoesToEveryone.opened[:] = AnswersTheNewestSocket.opened[:] = AnswersTheFirstSocket.opened[:] = []


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
