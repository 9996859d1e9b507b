"""Check 09.1: the student's test passes on a correct echo and fails on each broken one (mutation checking)."""

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from exercises.checks import target


class GoodEcho(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        key = "text" if event.get("text") is not None else "bytes"
        await self.send({"type": "websocket.send", key: event[key]})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class DropsBytes(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})


class Shouts(GoodEcho):
    async def websocket_receive(self, event):
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"].upper()})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})


class NeverStops(GoodEcho):
    async def websocket_disconnect(self, event):
        pass


async def test_your_test_passes_on_a_correct_echo():
    await target("09.1").test_echo(GoodEcho)


BROKEN = {
    DropsBytes: "it never answers a binary frame: send bytes too, and check they come back",
    Shouts: "it changes the text: check the text comes back exactly as sent",
    NeverStops: "it never raises StopConsumer: after disconnect(), assert not communicator.future.cancelled()",
}


@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_echo(broken):
    try:
        await target("09.1").test_echo(broken)
    except (AssertionError, TimeoutError):
        return
    pytest.fail(f"your test passed on {broken.__name__}, a broken echo ({BROKEN[broken]})", pytrace=False)
