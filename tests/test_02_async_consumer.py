"""Lesson 02: the raw AsyncConsumer, server push with a task, and why async matters.

The async echo shares its tests with its twin, the sync echo: see
tests/test_01_sync_consumer.py (the AsyncConsumer cases).
"""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from async_demo.consumers import parse_interval
from lessons.asgi import application
from tests.support import ORIGIN


def push_tasks() -> list[asyncio.Task]:
    """The ticker push tasks still running on this event loop."""
    return [task for task in asyncio.all_tasks() if task.get_coro().__qualname__ == "TickerConsumer.push_ticks"]


async def test_ticker_pushes_numbered_ticks_at_its_pace_without_client_input():
    communicator = WebsocketCommunicator(application, "/ws/async/ticker/?interval=0.05", headers=ORIGIN)
    await communicator.connect()
    await asyncio.sleep(0.2)
    await communicator.disconnect()
    ticks = [communicator.output_queue.get_nowait()["text"] for _ in range(communicator.output_queue.qsize())]
    assert ticks == [f'{{"tick": {n}}}' for n in range(1, len(ticks) + 1)]
    # Four intervals fit in the window: generous bounds, yet a flood or a stall fails.
    assert 2 <= len(ticks) <= 5


async def test_ticker_sends_nothing_before_the_first_interval_has_passed():
    communicator = WebsocketCommunicator(application, "/ws/async/ticker/", headers=ORIGIN)
    await communicator.connect()
    assert await communicator.receive_nothing(timeout=0.05)
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("query", "seconds"),
    [(b"", 1.0), (b"colour=blue", 1.0), (b"interval=0.05", 0.05), (b"interval=2.5", 2.5), (b"interval=60", 60.0)],
)
def test_interval_is_one_second_when_absent_and_the_given_seconds_otherwise(query, seconds):
    assert parse_interval(query) == seconds


async def test_disconnect_cancels_the_ticker_task_and_no_frame_follows():
    communicator = WebsocketCommunicator(application, "/ws/async/ticker/?interval=0.05", headers=ORIGIN)
    await communicator.connect()
    await communicator.receive_json_from()
    assert len(push_tasks()) == 1
    await communicator.disconnect()
    assert push_tasks() == []
    while not communicator.output_queue.empty():  # ticks sent before the disconnect was handled
        communicator.output_queue.get_nowait()
    assert await communicator.receive_nothing(timeout=0.1)


@pytest.mark.parametrize("value", ["", "nan", "inf", "-1", "0.01", "61", "abc"])
async def test_ticker_closes_with_4400_before_any_tick_when_the_interval_is_invalid(value):
    communicator = WebsocketCommunicator(application, f"/ws/async/ticker/?interval={value}", headers=ORIGIN)
    connected, _ = await communicator.connect()
    event = await communicator.receive_output()
    assert connected is True
    assert (event["type"], event["code"]) == ("websocket.close", 4400)
    assert repr(value) in event["reason"]
    await communicator.disconnect()


async def test_slow_route_replies_after_its_wait():
    communicator = WebsocketCommunicator(application, "/ws/async/slow/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data="0.01")
    assert await communicator.receive_json_from() == {"slept": 0.01}
    await communicator.disconnect()


async def test_one_sockets_slow_wait_does_not_delay_another_socket():
    slow = WebsocketCommunicator(application, "/ws/async/slow/", headers=ORIGIN)
    fast = WebsocketCommunicator(application, "/ws/async/slow/", headers=ORIGIN)
    await slow.connect()
    await fast.connect()
    await slow.send_to(text_data="0.1")
    await fast.send_to(text_data="0")
    assert await fast.receive_json_from() == {"slept": 0.0}
    # The fast socket has its answer while the slow one is still waiting for its own.
    assert await slow.receive_nothing(timeout=0)
    assert await slow.receive_json_from() == {"slept": 0.1}
    await slow.disconnect()
    await fast.disconnect()


async def test_one_socket_handles_its_frames_one_at_a_time():
    communicator = WebsocketCommunicator(application, "/ws/async/slow/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data="0.05")
    await communicator.send_to(text_data="0")
    assert [await communicator.receive_json_from() for _ in range(2)] == [{"slept": 0.05}, {"slept": 0.0}]
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "got"),
    [
        ({"text": "abc"}, "got 'abc'"),
        ({"text": "-1"}, "got '-1'"),
        ({"text": "11"}, "got '11'"),
        ({"text": "nan"}, "got 'nan'"),
        ({"bytes": b"1"}, "got a binary frame"),
    ],
)
async def test_slow_route_answers_bad_input_with_an_error_and_stays_open(frame, got):
    communicator = WebsocketCommunicator(application, "/ws/async/slow/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_input({"type": "websocket.receive", **frame})
    error = (await communicator.receive_json_from())["error"]
    await communicator.send_to(text_data="0")
    assert error.startswith("expected a text frame holding seconds from 0 to 10") and error.endswith(got)
    assert await communicator.receive_json_from() == {"slept": 0.0}
    await communicator.disconnect()


@pytest.mark.browser
def test_lesson_02_page_echoes_a_text_frame_in_a_real_browser(lesson_page):
    page = lesson_page("02")
    page.connect()
    page.send("hello, async")
    assert page.wait_for_received("hello, async") == ["hello, async"]
