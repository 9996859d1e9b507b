"""Lesson 02: the raw AsyncConsumer, server push with a task, and why async matters.

The async echo shares its tests with its twin, the sync echo: see
tests/test_01_sync_consumer.py (the AsyncConsumer cases).
"""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import aclose_old_connections
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from async_demo.consumers import EchoConsumer, TickerConsumer, parse_interval
from async_demo.hop_free import HopFreeEchoConsumer
from async_demo.slow import SlowConsumer
from harness.patience import FRAME, patient
from tests.helpers.threads import sync_thread_held


def push_tasks() -> list[asyncio.Task]:
    """The ticker push tasks still running on this event loop."""
    return [task for task in asyncio.all_tasks() if task.get_coro().__qualname__ == "TickerConsumer.push_ticks"]


async def test_ticker_pushes_numbered_ticks_at_its_pace_without_client_input():
    communicator = WebsocketCommunicator(TickerConsumer.as_asgi(), "/ws/async/ticker/?interval=0.05")
    await communicator.connect()
    # Twenty intervals: a ticker that ignores ?interval (1 s ticks) fails here, a busy machine's stall does not.
    async with asyncio.timeout(patient(1)):
        ticks = [await communicator.receive_from() for _ in range(2)]  # and the client sent nothing
    # At its pace: the third tick is a whole interval away, so the next 0.02 s bring nothing (a flood would).
    assert await communicator.receive_nothing(timeout=0.02)
    await communicator.disconnect()
    assert ticks == ['{"tick": 1}', '{"tick": 2}']


async def test_ticker_sends_nothing_before_the_first_interval_has_passed():
    communicator = WebsocketCommunicator(TickerConsumer.as_asgi(), "/ws/async/ticker/")
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
    communicator = WebsocketCommunicator(TickerConsumer.as_asgi(), "/ws/async/ticker/?interval=0.05")
    await communicator.connect()
    await communicator.receive_json_from()
    assert len(push_tasks()) == 1
    await communicator.disconnect()
    assert push_tasks() == []
    while not communicator.output_queue.empty():  # ticks sent before the disconnect was handled
        communicator.output_queue.get_nowait()
    assert await communicator.receive_nothing(timeout=0.06)  # a tick still on its way would come within 0.05 s


@pytest.mark.parametrize("value", ["", "nan", "inf", "-1", "0.01", "61", "abc"])
async def test_ticker_closes_with_4400_before_any_tick_when_the_interval_is_invalid(value):
    communicator = WebsocketCommunicator(TickerConsumer.as_asgi(), f"/ws/async/ticker/?interval={value}")
    connected, _ = await communicator.connect()
    event = await communicator.receive_output()
    assert connected is True
    assert (event["type"], event["code"]) == ("websocket.close", 4400)
    assert repr(value) in event["reason"]
    await communicator.disconnect()


async def test_slow_route_replies_after_its_wait():
    communicator = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/async/slow/")
    await communicator.connect()
    await communicator.send_to(text_data="0.01")
    assert await communicator.receive_json_from() == {"slept": 0.01}
    await communicator.disconnect()


async def test_one_sockets_slow_wait_does_not_delay_another_socket():
    slow = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/async/slow/")
    fast = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/async/slow/")
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
    communicator = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/async/slow/")
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
    communicator = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/async/slow/")
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


# --- one sync thread per process (django/channels#2132) ----------------------
# sync_thread_held() keeps the thread busy as ws/sync/slow/'s time.sleep does,
# but until the block ends rather than for a guessed number of seconds.


async def test_a_blocked_sync_handler_delays_an_async_echo_on_another_socket():
    echo = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/async/echo/")
    await echo.connect()
    async with sync_thread_held():
        await echo.send_to(text_data="ping")
        # AsyncConsumer.dispatch first awaits aclose_old_connections() on that same thread.
        assert await echo.receive_nothing(timeout=0.05), "the echo came back while the sync thread was busy"
    assert await echo.receive_from(timeout=FRAME) == "ping"
    await echo.disconnect()


async def test_the_hop_free_echo_answers_while_a_sync_handler_is_blocked():
    echo = WebsocketCommunicator(HopFreeEchoConsumer.as_asgi(), "/ws/async/hop-free-echo/")
    await echo.connect()
    async with sync_thread_held():
        await echo.send_to(text_data="ping")
        assert await echo.receive_from(timeout=FRAME) == "ping"
    await echo.disconnect()


async def test_blocking_work_in_a_thread_of_its_own_leaves_the_stock_echo_prompt():
    echo = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/async/echo/")
    await echo.connect()
    release = threading.Event()
    # thread_sensitive=False: a pool thread, not the one shared sync thread.
    blocking = asyncio.create_task(sync_to_async(release.wait, thread_sensitive=False)(10))
    await echo.send_to(text_data="ping")
    assert await echo.receive_from(timeout=FRAME) == "ping"
    assert not blocking.done(), "the pool thread should still be blocked"
    release.set()
    await blocking
    await echo.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_async_orm_waits_for_the_same_sync_thread():
    async with sync_thread_held():
        # Django runs aget/acount/acreate through sync_to_async.
        count = asyncio.create_task(get_user_model().objects.acount())
        await asyncio.sleep(0.05)
        assert not count.done(), "acount() ran while the sync thread was busy"
    assert await count == 0
    # The connection acount() opened lives on the sync thread; a consumer's next
    # event would close it (CONN_MAX_AGE=0). Close it here, while this test may.
    await aclose_old_connections()


@pytest.mark.parametrize(("echo", "hops"), [(EchoConsumer, 3), (HopFreeEchoConsumer, 0)])
async def test_only_the_stock_dispatch_closes_old_database_connections_before_each_event(monkeypatch, echo, hops):
    calls = []

    async def counted():
        calls.append(1)

    monkeypatch.setattr("channels.consumer.aclose_old_connections", counted)
    communicator = WebsocketCommunicator(echo.as_asgi(), "/ws/async/echo/")
    await communicator.connect()
    await communicator.send_to(text_data="ping")
    await communicator.receive_from()
    await communicator.disconnect()
    # connect, receive, disconnect: the hop-free echo skips all three, so a stale
    # connection would be its own problem if it ever used the ORM.
    assert len(calls) == hops
