"""The checks' failure probes (exercises/probes/endings.py): a failure let through passes, one swallowed does not."""

import json

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.testing import WebsocketCommunicator

from exercises import probes


class FailsOnAFrame(AsyncConsumer):
    """Meets a failure on each frame: `swallow` it (and claim success), or let it through."""

    swallow = False

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if not self.swallow:
            raise ConnectionError("Redis is down")
        await self.send({"type": "websocket.send", "text": '{"sounded": "hall"}'})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


@pytest.mark.parametrize("swallow", [False, True])
async def test_failure_not_swallowed_passes_a_crash_and_fails_a_success_claimed(swallow):
    failing = type("Failing", (FailsOnAFrame,), {"swallow": swallow})
    communicator = WebsocketCommunicator(failing.as_asgi(), "/")
    await communicator.connect()
    await communicator.send_to(text_data="hall:fire")
    if not swallow:  # the socket closes with 1011: the client knows
        await probes.failure_not_swallowed(communicator, "the layer failed", "the console", "no one heard", "sounded")
        return
    with pytest.raises(AssertionError, match="the console was told .*sounded.*never swallow it"):
        await probes.failure_not_swallowed(communicator, "the layer failed", "the console", "no one heard", "sounded")
    await communicator.disconnect()


class AnswersAnEmptyError(AsyncConsumer):
    """Catches the failure and answers str() of an exception raised bare: {"error": ""}."""

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"error": str(ValueError())})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


async def test_failure_not_swallowed_fails_an_error_frame_with_no_text():
    communicator = WebsocketCommunicator(AnswersAnEmptyError.as_asgi(), "/")
    await communicator.connect()
    await communicator.send_to(text_data="hall:fire")
    with pytest.raises(AssertionError, match="an error frame with no text tells nothing"):
        await probes.failure_not_swallowed(communicator, "the layer failed", "the console", "no one heard", "sounded")
    await communicator.disconnect()
