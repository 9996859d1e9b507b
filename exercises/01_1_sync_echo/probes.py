"""A raw echo, judged as a socket hears it (check 01.1): each frame back as it came, under its own key.

A raw SyncConsumer writes its websocket.send events itself, so an echo is a literal event dict; and a
frame a server may send (an empty text, empty bytes) must never end the consumer: the next frame still
comes back.
"""

from exercises.probes.communicators import close_all, connect
from exercises.probes.waits import reply


def echo(**frame) -> dict:
    """The event a raw consumer sends to echo `frame` (text= or bytes=): websocket.send under the same key."""
    return {"type": "websocket.send", **frame}


# A frame's key: the frame's name in a sentence, its empty value, and that value as a student writes it.
EMPTY = {"text": ("text", "", '""'), "bytes": ("binary", b"", 'b""')}


async def still_echoes_after_an_empty(application, key: str, rule: str) -> None:
    """On a socket of its own, send an empty frame under `key` ("text" or "bytes") as a raw websocket.receive event
    (send_to() refuses an empty text), then "after": "after" must come back. The empty frame echoed first is right;
    nothing back is right too (Daphne drops an empty frame anyway). `rule` says why the empty frame still counts."""
    kind, empty, written = EMPTY[key]
    communicator = await connect(application)
    await communicator.send_input({"type": "websocket.receive", key: empty})
    await communicator.send_to(text_data="after")
    got = await reply(communicator)
    if got == echo(**{key: empty}):
        got = await reply(communicator)
    assert got == echo(text="after"), (
        f'after an empty {kind} frame ({key} == {written}, which is not None), expected "after" back, got {got}: {rule}'
    )
    await close_all(communicator)
