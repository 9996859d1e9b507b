"""Alternative 09.1, raw events from a table: every socket sends its own frames, each answer read as the ASGI event.

Still right: both sockets are open before the first frame, each sends text beyond ASCII and bytes
(no UTF-8, and UTF-8 too) of its own, each answer must be that frame in the same kind of event, nothing
more may arrive, and try/finally disconnects both sockets however the test ends; a consumer that was
cancelled instead of stopping by itself fails the last assertion.
"""

import asyncio

from channels.testing import WebsocketCommunicator

# What each socket sends, in order: (the event's key, the frame). No frame is sent by both sockets,
# so an echo that reaches the wrong socket, or both, shows as an unexpected answer.
FRAMES = {
    "first": [("text", "h\u00e9llo \u2713"), ("bytes", b"plain bytes")],
    "second": [("bytes", b"\x00\xff\xfe"), ("text", "second \u00fc")],
}


async def test_echo(consumer):
    sockets = {name: WebsocketCommunicator(consumer.as_asgi(), "/") for name in FRAMES}
    try:
        results = await asyncio.gather(*(socket.connect() for socket in sockets.values()))
        assert all(connected for connected, _ in results), "the echo refused a socket"
        for name, frames in FRAMES.items():
            for key, frame in frames:
                await sockets[name].send_input({"type": "websocket.receive", key: frame})
        for name, frames in FRAMES.items():
            for key, frame in frames:
                event = await sockets[name].receive_output()
                answer = (event["type"], event.get("text"), event.get("bytes"))
                expected = ("websocket.send", frame if key == "text" else None, frame if key == "bytes" else None)
                assert answer == expected, f"{name} socket sent {key} {frame!r} and got {event!r}"
        for name, socket in sockets.items():
            assert await socket.receive_nothing(timeout=0.2), f"{name} socket got more than its own echoes"
    finally:
        for socket in sockets.values():
            if not socket.future.done():  # a receive that timed out has already cancelled its consumer
                await socket.disconnect()
    for name, socket in sockets.items():
        assert socket.future.done() and not socket.future.cancelled(), f"the {name} consumer never stopped by itself"
