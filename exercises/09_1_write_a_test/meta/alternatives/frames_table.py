# A table of (socket, frame) pairs sent in turn from both sockets, checked with receive_from(); the teardown in a finally.
"""Alternative 09.1: the frames to echo as data, each sent from the socket the table names.

Both sockets send, text and bytes alike, so an echo that answers the
wrong socket, changes a frame or answers twice fails an assertion; the
finally disconnects whatever is still running.
"""

from channels.testing import WebsocketCommunicator

FRAMES = [  # (which socket sends it, the frame)
    (0, {"text_data": "caf\u00e9 \u2615"}),
    (1, {"bytes_data": b"\xff\xfe\x00"}),
    (1, {"text_data": "second socket"}),
    (0, {"bytes_data": b"ascii bytes"}),
]


async def test_echo(consumer):
    sockets = [WebsocketCommunicator(consumer.as_asgi(), "/") for _ in range(2)]
    try:
        for socket in sockets:
            assert (await socket.connect())[0], "not accepted"
        for which, frame in FRAMES:
            await sockets[which].send_to(**frame)
            got = await sockets[which].receive_output()
            kind, data = next(iter(frame.items()))
            assert got == {"type": "websocket.send", kind.removesuffix("_data"): data}, f"{frame} came back as {got}"
        for socket in sockets:
            assert await socket.receive_nothing(), "an extra frame arrived"
        for socket in sockets:
            await socket.disconnect()
            assert not socket.future.cancelled(), "the consumer kept running after the disconnect"
    finally:
        for socket in sockets:
            if not socket.future.done():
                await socket.disconnect()
