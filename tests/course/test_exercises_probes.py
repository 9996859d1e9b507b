"""The checks' probes (exercises/probes.py) do not take a crashed consumer for a quiet one."""

import asyncio

import pytest
from channels.consumer import AsyncConsumer
from channels.testing import WebsocketCommunicator

from exercises.probes import close_all, nothing_more


class CrashesOnAFrame(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        raise KeyError("bytes")  # what `event["bytes"]` raises for a text frame


async def crashed_during_a_quiet_wait() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(CrashesOnAFrame.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data="hello")
    return communicator


async def test_a_consumer_that_crashes_while_nothing_more_waits_fails_the_check():
    communicator = await crashed_during_a_quiet_wait()
    # asgiref's receive_nothing() watches only what the consumer sends: a crash sends nothing.
    with pytest.raises(pytest.fail.Exception, match="your code raised KeyError"):
        await nothing_more(communicator, 0.01)


async def test_closing_a_socket_whose_consumer_had_crashed_fails_the_check():
    communicator = await crashed_during_a_quiet_wait()
    await asyncio.wait([communicator.future], timeout=1)  # the crash happens; nobody reads it
    with pytest.raises(pytest.fail.Exception, match="your code raised KeyError"):
        await close_all(communicator)
