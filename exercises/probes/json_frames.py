"""Frames a check sends one at a time, and the answers: a bad one refused on its own socket, each sent in its handler.

Check 03.1's adder, made a probe: a frame of any shape (text, or bytes as a client's binary frame, the empty one
too) gets {"error": "<why>"} on the socket that sent it, nothing on any other, and the next right frame its answer.
Check 03.3's polite echo: what the answers were, what Python warned of meanwhile, and which answer came late.
"""

import gc
import json
import warnings

from exercises.probes.communicators import ends_on_disconnect
from exercises.probes.endings import CountedSends
from exercises.probes.frames import told_on_its_frame
from exercises.probes.waits import NOTHING, frame, nothing_more, reply
from harness.patience import FRAME

EMPTY_BINARY = ' (an empty binary frame: bytes_data b"" is falsy, so `if bytes_data:` misses it; text_data is None)'


async def sent(communicator, text: str | bytes) -> None:
    """`text` as a client sends it: a str in a text frame, bytes in a binary one (b"" too, which send_to() refuses).

    A binary frame goes as the raw event Daphne sends, {"type": "websocket.receive", "bytes": ...}, with no "text"
    key at all: a consumer that reads event["text"] meets it as a client's browser would make it.
    """
    if isinstance(text, bytes):
        await communicator.send_input({"type": "websocket.receive", "bytes": text})
    else:
        await communicator.send_to(text_data=text)


async def refused(communicator, other, text: str | bytes, rule: str, then: tuple[dict, dict, str]) -> None:
    """`text` gets {"error": ...} on its own socket and nothing on `other`; the socket then still answers.

    `then` is (a right frame, its answer, what the socket does: "adding"): an error must not close the
    socket nor break it. A crash is told with the frame that caused it, the empty binary frame named.
    """
    await sent(communicator, text)
    got = await told_on_its_frame(frame(communicator), f"the frame {text[:70]!r}{EMPTY_BINARY if text == b'' else ''}")
    right, answer, doing = then  # an error frame holds none of the answer's keys: {"error": ..., "sum": 0} is both
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"] and not answer.keys() & got, (
        f'{text[:70]!r}: expected {{"error": "<why>"}} on its own socket, got {got}: {rule}'
    )
    assert await nothing_more(other, 0.02), f"{text[:70]!r}: bad input on one socket reached another socket"
    await communicator.send_json_to(right)
    got = await frame(communicator)
    assert got == answer, (
        f"{text[:70]!r}: after an error frame the socket stays open and keeps {doing}: expected {json.dumps(answer)} "
        f"for {json.dumps(right)}, got {got}"
    )


async def exchange(application, frames: list[str], rule: str) -> tuple[list, list[str]]:
    """What one socket of `application` was answered to `frames` (NOTHING once it fell silent), and Python's warnings.

    Every frame goes before any answer is read; the RuntimeWarnings are the ones given meanwhile (a
    coroutine never awaited warns when it is collected, so gc runs first). A crash is told with `rule`.
    """
    from channels.testing import WebsocketCommunicator

    answers = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        communicator = WebsocketCommunicator(application, "/")
        assert (await communicator.connect(timeout=FRAME))[0], "expected the socket to be accepted"
        try:
            for text in frames:
                await communicator.send_to(text_data=text)
            while len(answers) < len(frames) and NOTHING not in answers:
                answers.append(await reply(communicator))
            if NOTHING not in answers:
                await ends_on_disconnect(communicator)
        except Exception as error:  # the student's consumer crashed
            raise AssertionError(
                f"the consumer crashed: {type(error).__name__}: {str(error).rstrip('.')}. {rule}"
            ) from error
        gc.collect()  # a thrown-away coroutine warns when it is collected
    return answers, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def answered_in_receive(consumer: type) -> type:
    """`consumer`, noting in its `late` list each text frame whose answer was not sent by the time receive() returned.

    A send handed to a task (asyncio.create_task(self.send(...))) has not happened when the handler
    returns: nothing waits for it, its errors go unseen, and it may run after the socket has gone.
    """

    class Watched(CountedSends, consumer):
        late: list[str] = []

        async def receive(self, **frame):  # as Channels calls it: text_data=... or bytes_data=..., by keyword
            before = self.sent
            await super().receive(**frame)
            if frame.get("text_data") is not None and self.sent == before:
                self.late.append(frame["text_data"])

    return Watched
