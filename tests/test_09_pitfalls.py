"""Lesson 09: the pitfalls of consumer tests, each shown failing the way it fails in your own suite."""

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers.clients import ORIGIN
from tests.helpers.tiny_consumers import (
    ForgetfulEchoConsumer,
    HelloHttpConsumer,
)


@pytest.mark.parametrize(("headers", "accepted"), [(ORIGIN, True), ([], False)], ids=["origin", "no-origin"])
async def test_pitfall_the_root_router_refuses_a_communicator_without_an_origin_header(headers, accepted):
    communicator = WebsocketCommunicator(application, "/ws/sync/echo/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


async def test_the_root_router_refuses_an_unknown_path_then_stops_by_itself():
    communicator = WebsocketCommunicator(application, "/ws/no-such-route/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected is False
    # A real server follows a refusal with websocket.disconnect; so does the test.
    await communicator.disconnect()
    assert not communicator.future.cancelled()


async def test_pitfall_a_consumer_without_stop_consumer_is_cancelled_by_wait_not_finished():
    communicator = WebsocketCommunicator(ForgetfulEchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    # disconnect() = send websocket.disconnect, then wait(timeout): the wait
    # runs out and cancels the consumer, silently, with asgiref 3.13.
    await communicator.disconnect(timeout=0.02)
    assert communicator.future.cancelled()


async def test_pitfall_an_http_consumer_error_is_raised_after_the_timeout_not_as_a_500():
    window = 0.02  # must outlast the consumer's first step (a hop to the sync thread): wider on a busy machine
    while True:
        communicator = HttpCommunicator(HelloHttpConsumer.as_asgi(), "GET", "/hello/")
        try:
            await communicator.get_response(timeout=window)
        except KeyError as raised:
            error = raised
            break
        except TimeoutError:  # cancelled before its handler ran: nothing was raised yet, try a wider window
            if window > FRAME:
                raise
            window *= 2
    # get_response waited the whole timeout for a response that never came, then raised the consumer's error.
    assert "name" in str(error) and isinstance(error.__context__, TimeoutError)
