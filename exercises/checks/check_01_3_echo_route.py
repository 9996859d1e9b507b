"""Check 01.3 (fix): a route takes an ASGI application, `Consumer.as_asgi()`, never the class or an instance."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load

RULE = "A route takes an ASGI application: EchoConsumer.as_asgi(), one consumer instance per connection"


def router() -> URLRouter:
    return URLRouter(load("01.3", RULE).websocket_urlpatterns)


async def opened(communicator) -> bool:
    try:
        connected, _ = await communicator.connect(timeout=1)
    except TypeError as error:  # what Daphne logs too, for every socket
        pytest.fail(f"the handshake crashed: TypeError: {error}. {RULE}", pytrace=False)
    return connected


async def test_a_socket_on_the_echo_route_opens_and_echoes():
    communicator = WebsocketCommunicator(router(), "/ws/fix/echo/")
    assert await opened(communicator), f"the socket was not accepted. {RULE}"
    await communicator.send_to(text_data="hello")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "hello"}, f'expected "hello" back, got {got}'
    await communicator.disconnect()


async def test_two_sockets_each_hear_their_own_echo():
    app = router()
    first, second = WebsocketCommunicator(app, "/ws/fix/echo/"), WebsocketCommunicator(app, "/ws/fix/echo/")
    assert await opened(first) and await opened(second), f"a socket was not accepted. {RULE}"
    await first.send_to(text_data="for the first")
    got = await answer(first)
    assert got == {"type": "websocket.send", "text": "for the first"}, (
        f"the first socket got {got} for its own frame: the two sockets share one consumer instance. {RULE}"
    )
    await first.disconnect()
    await second.disconnect()
