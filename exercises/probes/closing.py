"""Frames a client sent before it saw the server's close: they still arrive, and none is answered (01.2, 07.1, 07.2).

A server's close and a client's frames cross on the wire. Daphne hands each frame that reaches it to the
consumer as websocket.receive until the client's own close comes back as websocket.disconnect, so a
consumer that closed a socket can still be asked to answer it. Nothing may follow a close.
"""

import pytest

from exercises.probes.communicators import ends_on_disconnect
from exercises.probes.waits import crashed

# What a client may have sent before it saw the close: a question, an empty text, a binary frame.
IN_FLIGHT = [{"text": "are you there?"}, {"text": ""}, {"bytes": b"\x00hello"}]


async def frames_after_the_close_go_unanswered(communicator, code: int, frames: list = IN_FLIGHT) -> None:
    """Hand the consumer `frames` after its close with `code`, then the client's disconnect: it sends nothing more."""
    for event in frames:
        await communicator.send_input({"type": "websocket.receive", **event})
    # A consumer takes its events in order: once it has taken the disconnect after them, it has answered them all.
    try:
        await ends_on_disconnect(communicator, code)
    except Exception as error:
        pytest.fail(f"on a frame the client sent before it saw the close: {crashed(error)}", pytrace=False)
    after = [communicator.output_queue.get_nowait() for _ in range(communicator.output_queue.qsize())]
    shown = ", ".join(repr(next(iter(event.values()))) for event in frames)
    assert not after, (
        f"after its close with {code}, the consumer took {len(frames)} frames the client had sent before it saw "
        f"the close ({shown}), and answered them: {str(after[0])[:120]}. Nothing may follow a close: remember on "
        "self that the socket is closed, and answer no frame after it"
    )
