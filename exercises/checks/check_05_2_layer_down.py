"""Check 05.2: close with 4503 when the channel layer fails, in a handler or in the consumer's own loop."""

from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from redis.exceptions import ConnectionError as RedisConnectionError

from exercises.checks import answer, target


class BrokenLayer(InMemoryChannelLayer):
    """A channel layer whose Redis has gone: every group call fails."""

    async def group_add(self, group, channel):
        raise RedisConnectionError("Redis is down (a check's broken layer)")

    async def group_send(self, group, message):
        raise RedisConnectionError("Redis is down (a check's broken layer)")


class UnreadableLayer(InMemoryChannelLayer):
    """A channel layer whose Redis goes while the consumer waits on its channel, outside any handler."""

    async def receive(self, channel):
        raise RedisConnectionError("Redis is down (a check's broken layer)")


async def test_a_failing_layer_closes_the_socket_with_4503(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.checks.check_05_2_layer_down.BrokenLayer"}}
    communicator = WebsocketCommunicator(target("05.2").LayerDownConsumer.as_asgi(), "/")
    await communicator.send_input({"type": "websocket.connect"})
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4503}, (
        f"expected a close with 4503 (try again later; 1011 would say the consumer crashed), got {got}"
    )


async def test_a_layer_failing_outside_any_handler_closes_4503_too(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.checks.check_05_2_layer_down.UnreadableLayer"}}
    communicator = WebsocketCommunicator(target("05.2").LayerDownConsumer.as_asgi(), "/")
    await communicator.send_input({"type": "websocket.connect"})
    events = [await answer(communicator)]
    if events[0] == {"type": "websocket.accept"}:
        events.append(await answer(communicator))
    assert {"type": "websocket.close", "code": 4503} in events, (
        f"the layer failed while the consumer read its channel, outside any handler: expected a close with 4503, "
        f"got {events}: catch RedisError around super().__call__, not in a handler"
    )
