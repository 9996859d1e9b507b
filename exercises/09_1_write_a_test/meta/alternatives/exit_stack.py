# contextlib.AsyncExitStack: each socket's disconnect registered as it opens, so every way out of the test ends them all.
"""Alternative 09.1: the sockets' teardown kept by an AsyncExitStack.

push_async_callback registers a coroutine to run when the stack closes,
whether the block ends or an assertion leaves it; a consumer a wait has
already cancelled (future.done()) is left alone.
"""

from contextlib import AsyncExitStack

from channels.testing import WebsocketCommunicator


async def ended(communicator: WebsocketCommunicator) -> None:
    if not communicator.future.done():
        await communicator.disconnect()


async def test_echo(consumer):
    async with AsyncExitStack() as stack:
        sockets = []
        for _ in range(2):
            communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
            stack.push_async_callback(ended, communicator)
            connected, _ = await communicator.connect()
            assert connected, "the echo must accept the socket"
            sockets.append(communicator)
        alice, bob = sockets
        await bob.send_to(bytes_data=b"\x00\xff")
        assert await bob.receive_output() == {"type": "websocket.send", "bytes": b"\x00\xff"}
        await alice.send_to(text_data="h\u00e9llo \u2713")
        assert await alice.receive_output() == {"type": "websocket.send", "text": "h\u00e9llo \u2713"}
        await bob.send_to(bytes_data=b"text as bytes")
        assert await bob.receive_output() == {"type": "websocket.send", "bytes": b"text as bytes"}
        assert await alice.receive_nothing() and await bob.receive_nothing(), "an echo goes to its sender, once"
        for communicator in sockets:
            await communicator.disconnect()
            assert not communicator.future.cancelled(), "the echo must stop by itself after a disconnect"
