"""Check 06.1: a worker consumer that squares numbers."""

import asyncio

from channels.layers import get_channel_layer
from channels.testing import ApplicationCommunicator

from exercises.checks import target


async def test_a_square_job_is_answered_on_its_reply_channel():
    worker = ApplicationCommunicator(target("06.1").SquareWorker.as_asgi(), {"type": "channel", "channel": "squares"})
    layer = get_channel_layer()
    replies = await layer.new_channel()
    await worker.send_input({"type": "square.job", "n": 12, "reply_to": replies})
    try:
        async with asyncio.timeout(1):
            got = await layer.receive(replies)
    except TimeoutError:
        got = "nothing within 1 s"
    assert got == {"type": "square.done", "result": 144}, (
        f'expected {{"type": "square.done", "result": 144}}, got {got}'
    )
    worker.future.cancel()
    await asyncio.gather(worker.future, return_exceptions=True)
