"""Lesson 03: the generic consumers, WebsocketConsumer and AsyncJsonWebsocketConsumer."""

import json

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from async_demo.generic_consumers import MAX_DEPTH, JsonEchoConsumer
from sync_demo.generic_consumers import GenericEchoConsumer


async def test_generic_echo_returns_text_and_binary_frames_unchanged_in_order():
    communicator = WebsocketCommunicator(GenericEchoConsumer.as_asgi(), "/ws/sync/generic-echo/")
    connected, _ = await communicator.connect()
    sent = ["one", b"\x00two", "thrée ✓", b"four"]
    for frame in sent:
        await communicator.send_to(**({"text_data": frame} if isinstance(frame, str) else {"bytes_data": frame}))
    assert connected is True
    assert [await communicator.receive_from() for _ in sent] == sent
    await communicator.disconnect()


@pytest.mark.parametrize("consumer", [GenericEchoConsumer, JsonEchoConsumer])
async def test_the_generic_websocket_disconnect_raises_stop_consumer_for_us(consumer):
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait()
    # wait() cancels an application that is still running; one that returned was not cancelled.
    assert communicator.future.done() and not communicator.future.cancelled()


@pytest.mark.parametrize("value", [{"hello": "json"}, [1, 2.5, "x"], "text", 42, True, None, {"deep": [[[{}]]]}])
async def test_json_echo_wraps_any_json_value_in_echo(value):
    communicator = WebsocketCommunicator(JsonEchoConsumer.as_asgi(), "/ws/async/json-echo/")
    await communicator.connect()
    await communicator.send_json_to(value)
    assert await communicator.receive_json_from() == {"echo": value}
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "got"),
    [
        ({"text": "not json"}, "got text that is not JSON (Expecting value: line 1 column 1 (char 0))"),
        ({"text": ""}, "got text that is not JSON (Expecting value"),
        ({"text": '{"open": '}, "got text that is not JSON (Expecting value"),
        ({"text": "NaN"}, "got NaN, which JSON does not allow"),
        ({"text": "[1e400]"}, "got 1e400, a number too large to echo as JSON"),
        (
            {"text": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)},
            f"got arrays and objects nested more than {MAX_DEPTH}",
        ),
        ({"text": "[" * 100_000 + "]" * 100_000}, f"got arrays and objects nested more than {MAX_DEPTH}"),
        ({"bytes": b'{"a": 1}'}, "got a binary frame of 8 bytes"),
    ],
    ids=["not-json", "empty", "unfinished", "nan", "overflow", "too-deep", "far-too-deep", "binary"],
)
async def test_json_echo_answers_bad_input_with_an_error_and_stays_open(frame, got):
    communicator = WebsocketCommunicator(JsonEchoConsumer.as_asgi(), "/ws/async/json-echo/")
    await communicator.connect()
    await communicator.send_input({"type": "websocket.receive", **frame})
    error = (await communicator.receive_json_from())["error"]
    await communicator.send_json_to({"still": "open"})
    assert error.startswith("expected a JSON text frame, " + got)
    assert await communicator.receive_json_from() == {"echo": {"still": "open"}}
    await communicator.disconnect()


class StockJsonEcho(AsyncJsonWebsocketConsumer):
    """The json echo without lesson 03's receive(): the parent's decoding, untouched."""

    async def receive_json(self, content, **kwargs):
        await self.send_json({"echo": content})


async def test_the_stock_json_consumer_crashes_on_text_that_is_not_json():
    router = URLRouter([path("ws/stock-json-echo/", StockJsonEcho.as_asgi())])
    communicator = WebsocketCommunicator(router, "/ws/stock-json-echo/")
    await communicator.connect()
    await communicator.send_to(text_data="not json")
    # Under Daphne this exception closes the socket with 1011 (internal error).
    with pytest.raises(json.JSONDecodeError):
        await communicator.wait()


@pytest.mark.browser
def test_lesson_03_page_echoes_a_json_frame_in_a_real_browser(lesson_page):
    page = lesson_page("03")
    page.choose_route("ws/async/json-echo/")
    page.connect()
    page.send('{"hello": "browser"}', button="send-json")
    assert [json.loads(frame) for frame in page.wait_for_received("echo")] == [{"echo": {"hello": "browser"}}]
