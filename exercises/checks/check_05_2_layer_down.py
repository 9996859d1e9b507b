"""Check 05.2: close with 4503 when the channel layer fails."""

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


async def test_a_failing_layer_closes_the_socket_with_4503(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.checks.check_05_2_layer_down.BrokenLayer"}}
    communicator = WebsocketCommunicator(target("05.2").LayerDownConsumer.as_asgi(), "/")
    await communicator.send_input({"type": "websocket.connect"})
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4503}, f"expected a close with 4503, got {got}"
