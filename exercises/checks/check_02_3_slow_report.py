"""Check 02.3 (fix): a blocking call never runs on the event loop; it goes to a thread, and other sockets go on."""

import asyncio
import json

from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load

RULE = "Never block the event loop in an async consumer: run the blocking call in a thread (asyncio.to_thread)"


def app():
    return load("02.3", RULE).ReportConsumer.as_asgi()


async def test_the_report_still_arrives():
    communicator = WebsocketCommunicator(app(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="report")
    got = await answer(communicator, timeout=3)
    assert isinstance(got, dict) and json.loads(got.get("text") or "{}").get("report") == "all systems nominal", (
        f'expected {{"report": "all systems nominal"}}, got {got}'
    )
    await communicator.disconnect()


async def test_another_socket_is_answered_while_a_report_is_being_built():
    consumer = app()
    slow, other = WebsocketCommunicator(consumer, "/"), WebsocketCommunicator(consumer, "/")
    await slow.connect(timeout=1)
    await other.connect(timeout=1)
    await slow.send_to(text_data="report")
    await asyncio.sleep(0.05)  # the report has started
    await other.send_to(text_data="ping")
    echo = await answer(other, timeout=3)
    assert echo == {"type": "websocket.send", "text": "ping"}, f'expected "ping" back on the other socket, got {echo}'
    # Order, not time: the echo must come while the report is still being built.
    assert slow.output_queue.empty(), (
        "the other socket's echo only came after the report was done: build_report() stalled every socket "
        f"of the process. {RULE}"
    )
    await answer(slow, timeout=3)
    await slow.disconnect()
    await other.disconnect()
