"""Check 09.3 (fix): the student's test routes the consumer (URLRouter puts url_route in the scope), and can fail."""

import json

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from exercises.checks.fixlab import load

RULE = (
    'scope["url_route"] is put there by URLRouter: test a routed consumer through '
    'URLRouter([path("ws/fixroom/<str:room>/", consumer.as_asgi())]), and assert its greeting'
)


class RoomGreeter(AsyncConsumer):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class GreetsInCapitals(RoomGreeter):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room.upper()})})


class NeverGreets(RoomGreeter):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})


def your_test():
    return load("09.3", RULE).test_the_room_greets_its_client


async def test_your_test_passes_on_a_correct_room_consumer():
    try:
        await your_test()(RoomGreeter)
    except KeyError as error:  # raised inside the consumer, re-raised by the communicator
        raise AssertionError(f"your test crashed on a correct consumer: KeyError: {error}. {RULE}") from error


@pytest.mark.parametrize("broken", [GreetsInCapitals, NeverGreets], ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_room_consumer(broken):
    try:
        await your_test()(broken)
    except (AssertionError, TimeoutError):
        return
    pytest.fail(f"your test passed on {broken.__name__}: a test that cannot fail proves nothing. {RULE}", pytrace=False)
