"""Check 05.4 (fix): send() to a full channel raises ChannelFull: catch it, tell the client, keep the socket."""

import json

import pytest
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import NOTHING, answer
from exercises.checks.fixlab import load

RULE = (
    'send() to a channel at capacity raises ChannelFull: catch it and answer {"error": ...} at once; the socket '
    "stays open"
)


@pytest.fixture(autouse=True)
def small_capacity(settings):
    """A layer whose channels hold two messages: the queue is full after two jobs."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 2}}
    }


async def ask(communicator, image: str) -> dict | str:
    await communicator.send_to(text_data=json.dumps({"image": image}))
    try:
        got = await answer(communicator)
    except ChannelFull as error:  # what the server logs before closing the socket with 1011
        raise AssertionError(f"the consumer crashed: channels.exceptions.ChannelFull. {RULE}") from error
    return json.loads(got["text"]) if isinstance(got, dict) and got.get("text") else got


async def test_a_job_is_queued_for_the_worker():
    communicator = WebsocketCommunicator(load("05.4", RULE).ThumbnailConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    assert await ask(communicator, "cat.png") == {"queued": "cat.png"}
    job = await get_channel_layer().receive("fixthumbs")
    assert (job.get("type"), job.get("image")) == ("thumbnail.make", "cat.png"), f"the worker got {job}"
    await communicator.disconnect()


async def test_a_full_queue_is_answered_with_an_error_and_the_socket_stays_open():
    communicator = WebsocketCommunicator(load("05.4", RULE).ThumbnailConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    assert await ask(communicator, "one.png") == {"queued": "one.png"}
    assert await ask(communicator, "two.png") == {"queued": "two.png"}
    refused = await ask(communicator, "three.png")  # the queue holds two: it is full now
    assert refused != NOTHING, f"a job the full queue refused got no answer within 1 s. {RULE}"
    assert isinstance(refused, dict) and "error" in refused, (
        f'expected {{"error": ...}} for a full queue, got {refused}'
    )
    await get_channel_layer().receive("fixthumbs")  # the worker takes one job: there is room again
    assert await ask(communicator, "four.png") == {"queued": "four.png"}, (
        f"the socket did not take the next try. {RULE}"
    )
    await communicator.disconnect()
