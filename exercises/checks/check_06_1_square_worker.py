"""Check 06.1: a worker consumer that squares numbers, and survives a bad job."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import ApplicationCommunicator

from exercises.checks import crashed, target


async def reply(layer, channel: str) -> object:
    try:
        async with asyncio.timeout(1):
            return await layer.receive(channel)
    except TimeoutError:
        return "nothing within 1 s"


async def stop(worker) -> None:
    if worker.future.done() and not worker.future.cancelled() and worker.future.exception() is not None:
        pytest.fail(crashed(worker.future.exception()), pytrace=False)
    worker.future.cancel()
    await asyncio.gather(worker.future, return_exceptions=True)


async def test_a_square_job_is_answered_on_its_reply_channel():
    worker = ApplicationCommunicator(target("06.1").SquareWorker.as_asgi(), {"type": "channel", "channel": "squares"})
    layer = get_channel_layer()
    replies = await layer.new_channel()
    await worker.send_input({"type": "square.job", "n": 12, "reply_to": replies})
    got = await reply(layer, replies)
    await stop(worker)
    assert got == {"type": "square.done", "result": 144}, (
        f'expected {{"type": "square.done", "result": 144}} on the reply_to channel, got {got}: a worker has no '
        'socket, it answers with channel_layer.send(event["reply_to"], ...)'
    )


async def test_a_job_that_is_not_a_number_does_not_stop_the_worker():
    worker = ApplicationCommunicator(target("06.1").SquareWorker.as_asgi(), {"type": "channel", "channel": "squares"})
    layer = get_channel_layer()
    replies = await layer.new_channel()
    await worker.send_input({"type": "square.job", "n": "twelve", "reply_to": replies})
    await reply(layer, replies)  # an error reply, or nothing
    if worker.future.done():
        await stop(worker)
    await worker.send_input({"type": "square.job", "n": 3, "reply_to": replies})
    got = await reply(layer, replies)
    await stop(worker)
    assert got == {"type": "square.done", "result": 9}, (
        f'after a job with n="twelve" the worker must still answer the next job, got {got}: bad input never '
        "crashes a consumer (a crashed worker serves nobody)"
    )
