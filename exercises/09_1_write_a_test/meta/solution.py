"""Solution 09.1: a test that catches broken echoes.

Why this way: two communicators open at once, both kinds of frame (text
beyond ASCII, bytes that are no UTF-8 and bytes that are), and the end of each consumer checked
explicitly: each broken echo fails a different assertion (lesson 09). Every
communicator is disconnected, in a finally: a test that fails leaves no consumer
running either.
"""

from channels.testing import WebsocketCommunicator

TEXT = "h\u00e9llo \u2713"  # beyond ASCII: an echo that re-encodes text shows here
DATA = b"\x00\xff\xfe"  # no UTF-8: an echo that decodes bytes shows here
PLAIN = b"plain bytes"  # UTF-8 too: an echo that answers bytes that read as text with a text frame shows here


async def test_echo(consumer):
    first = WebsocketCommunicator(consumer.as_asgi(), "/")
    second = WebsocketCommunicator(consumer.as_asgi(), "/")
    try:
        for communicator in (first, second):
            connected, _ = await communicator.connect()
            assert connected
        await first.send_to(text_data=TEXT)
        assert await first.receive_from() == TEXT
        await second.send_to(bytes_data=DATA)
        assert await second.receive_from() == DATA
        await first.send_to(bytes_data=PLAIN)  # a second frame on the same socket: an echo keeps answering
        assert await first.receive_from() == PLAIN
        # Each socket hears only its own echo: nothing of the other's frame.
        assert await first.receive_nothing()
        for communicator in (first, second):
            await communicator.disconnect()
            assert not communicator.future.cancelled(), "the consumer did not stop by itself (StopConsumer)"
    finally:  # when an assertion fails too: a test ends every socket it opened
        for communicator in (first, second):
            if not communicator.future.done():  # a wait that gave up has cancelled its consumer already
                await communicator.disconnect()
