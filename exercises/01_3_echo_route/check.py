"""Check 01.3 (fix): a route takes an ASGI application that makes one consumer instance per connection."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from exercises.probes import FRAME, WAITED, answer, close_all, crashed, load, proved

RULE = (
    "A route takes an ASGI application, called as app(scope, receive, send) once per connection, which makes "
    "that connection's own consumer instance"
)
PATH = "/ws/fix/echo/"


def router() -> URLRouter:
    return URLRouter(load("01.3", RULE).websocket_urlpatterns)


async def opened(communicator) -> bool:
    try:
        connected, _ = await communicator.connect(timeout=FRAME)
    except TypeError as error:  # what Daphne logs too, for every socket
        pytest.fail(f"the handshake crashed: TypeError: {error}. {RULE}", pytrace=False)
    except TimeoutError:
        pytest.fail(f"the handshake got no answer within {WAITED}. {RULE}", pytrace=False)
    except Exception as error:
        pytest.fail(f"the handshake crashed: {crashed(error)}. {RULE}", pytrace=False)
    return connected


def echo(**frame) -> dict:
    return {"type": "websocket.send", **frame}


async def test_a_socket_on_the_echo_route_opens_and_echoes():
    communicator = WebsocketCommunicator(router(), PATH)
    assert await opened(communicator), f"the socket was not accepted. {RULE}"
    await communicator.send_to(text_data="hello")
    got = await answer(communicator)
    assert got == echo(text="hello"), f'expected "hello" back, got {got}'
    await close_all(communicator)


async def test_two_sockets_at_once_each_hear_their_own_echo():
    app = router()
    first, second = WebsocketCommunicator(app, PATH), WebsocketCommunicator(app, PATH)
    assert await opened(first) and await opened(second), f"a second socket was not accepted. {RULE}"
    proved("sockets", 2)
    await first.send_to(text_data="for the first")
    await second.send_to(bytes_data=b"for the second")
    for name, communicator, expected in (
        ("first", first, echo(text="for the first")),
        ("second", second, echo(bytes=b"for the second")),
    ):
        got = await answer(communicator)
        assert got == expected, (
            f"the {name} socket got {got} for its own frame: the two sockets share one consumer instance, "
            f"so one socket's echo goes to the other. {RULE}"
        )
    await first.disconnect(timeout=1)
    assert not first.future.cancelled(), f"the first socket's consumer did not end when it closed. {RULE}"
    await second.send_to(text_data="still here")
    got = await answer(second)
    assert got == echo(text="still here"), f"once the other socket closed, this one got {got} instead of its echo"
    await close_all(second)
