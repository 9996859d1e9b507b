"""Check 01.3 (fix): a route takes an ASGI application that makes one consumer instance per connection.

The task's rules, in its order: 1 a socket on the route opens and echoes; 2 two sockets at once each hear their own
echo; 3 a path with more before or after the route is refused; 4 after an empty text frame the socket still echoes.
Then the standard battery of exercise.toml ([battery.rules] names each behaviour's rule).
"""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import re_path

from exercises.probes import FRAME, NOTHING, WAITED, answer, close_all, crashed, ends_on_disconnect, load, proved, until
from lessons.consumers import UnknownPathConsumer  # the course's catch-all: refuses a path no route claims

RULE = (
    "A route takes an ASGI application, called as app(scope, receive, send) once per connection, which makes "
    "that connection's own consumer instance"
)
PATH = "/ws/fix/echo/"
# Paths that hold the route with more after it or before it: no route claims them, so the server refuses them.
NEAR = ["/ws/fix/echo/extra/", "/evil/ws/fix/echo/"]


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


@pytest.mark.rule(1)
async def test_a_socket_on_the_echo_route_opens_and_echoes():
    communicator = WebsocketCommunicator(router(), PATH)
    assert await opened(communicator), f"the socket was not accepted. {RULE}"
    await communicator.send_to(text_data="hello")
    got = await answer(communicator)
    assert got == echo(text="hello"), f'expected "hello" back, got {got}'
    await close_all(communicator)


@pytest.mark.rule(2)
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
    assert await ends_on_disconnect(first), f"the first socket's consumer did not end when it closed. {RULE}"
    await second.send_to(text_data="still here")
    got = await answer(second)
    assert got == echo(text="still here"), f"once the other socket closed, this one got {got} instead of its echo"
    await close_all(second)


@pytest.mark.rule(3)
async def test_a_path_with_more_before_or_after_the_route_is_refused():
    served = URLRouter([*load("01.3", RULE).websocket_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())])
    for near in NEAR:
        communicator = WebsocketCommunicator(served, near)
        connected, _ = await communicator.connect(timeout=FRAME)
        assert not connected, (
            f"a socket on {near} was accepted by the echo: your route claims every path that holds ws/fix/echo/ "
            "with more before or after it, where a path no route claims must be refused (HTTP 403). path() "
            'matches the whole path; a re_path matches it only when anchored, r"^ws/fix/echo/$"'
        )
        communicator.future.cancel()


@pytest.mark.rule(4)
async def test_an_empty_text_frame_is_echoed_and_the_socket_stays_open():
    communicator = WebsocketCommunicator(router(), PATH)
    assert await opened(communicator), f"the socket was not accepted. {RULE}"
    await communicator.send_input({"type": "websocket.receive", "text": ""})  # send_to() refuses an empty text
    await communicator.send_to(text_data="after")
    await until(lambda: communicator.future.done() or not communicator.output_queue.empty())  # an answer, or a crash
    try:
        got = await communicator.receive_output(timeout=FRAME)
        if got == echo(text=""):  # the empty text back is right (Daphne drops it anyway)
            got = await communicator.receive_output(timeout=FRAME)
    except TimeoutError:
        got = NOTHING
    except Exception as error:  # the consumer crashed: the server closes the socket with 1011
        got = f"a crash: {crashed(error)}"
    assert got == echo(text="after"), (
        f'after an empty text frame (text == "", which is not None), expected "after" back, got {got}: an empty '
        'text is still a text frame, and `if event.get("text"):` takes it for a binary one'
    )
    proved("boundaries", 1)
    await close_all(communicator)


# The standard battery of what this exercise builds (routing), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import test_a_path_with_more_before_or_after_a_route_is_refused  # noqa: E402, F401
