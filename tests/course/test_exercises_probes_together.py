"""meeting() shows state kept on the class every time, however late the machine runs the second consumer."""

import asyncio

from channels.consumer import AsyncConsumer, SyncConsumer
from channels.exceptions import StopConsumer
from channels.testing import WebsocketCommunicator

from exercises.probes import frame, meeting, suspending, together


class NameOnTheClass(AsyncConsumer):
    """The mistake: one socket's name kept on the class, read back after the accept."""

    name = None

    async def websocket_connect(self, event):
        if self.scope["path"] == "/late/":
            await asyncio.sleep(0.05)  # a busy machine runs this consumer's handler 50 ms after the other's
        NameOnTheClass.name = self.scope["path"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": f'"{NameOnTheClass.name}"'})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


async def greetings(app) -> list:
    early, late = WebsocketCommunicator(app, "/early/"), WebsocketCommunicator(app, "/late/")
    await asyncio.gather(early.connect(), late.connect())
    got = [await frame(early), await frame(late)]
    for socket in (early, late):
        await socket.disconnect()
    return got


async def test_a_10_ms_suspension_lets_a_late_second_consumer_hide_the_class_state():
    assert await greetings(suspending(NameOnTheClass.as_asgi())) == ["/early/", "/late/"]


async def test_with_meeting_both_consumers_read_the_last_value_written():
    assert await greetings(meeting(NameOnTheClass.as_asgi())) == ["/late/", "/late/"]


class SyncGreeter(SyncConsumer):
    """A sync consumer: its handlers hold asgiref's one sync thread while they send."""

    def websocket_connect(self, event):
        self.send({"type": "websocket.accept"})
        self.send({"type": "websocket.send", "text": f'"{self.scope["path"]}"'})

    def websocket_disconnect(self, event):
        raise StopConsumer()


async def test_sync_consumers_meet_without_waiting_for_a_deadline(monkeypatch):
    # No deadline to fall back on: a meeting that held the one sync thread would never end (the test's timeout says so).
    monkeypatch.setattr(together, "FRAME", None)
    assert await greetings(meeting(SyncGreeter.as_asgi())) == ["/early/", "/late/"]
