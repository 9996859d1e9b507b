"""A check's wait for a frame ends once nothing in the process could still send it (exercises/probes/quiet.py).

An untouched starter that never accepts, or a mistake that drops a message, used to cost FRAME
(10 s) a wait. These tests pass a deadline no run reaches (NEVER): a wait that ended did so on
the event or on settled(), and one that should not end is shown by the frame that came instead.
"""

import asyncio
import sys
import threading
import time

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.consumer import AsyncConsumer, SyncConsumer
from channels.testing import WebsocketCommunicator

from exercises import probes
from exercises.probes import NOTHING, answer, never_blocks, nothing_more, waits
from exercises.probes.quiet import ours, settled

NEVER = 3600.0  # seconds: longer than any test may run (tests/conftest.py sets pytest-timeout)
pytestmark = pytest.mark.usefixtures("earlier_tests_threads_left_out")


class NeverAccepts(AsyncConsumer):
    async def websocket_connect(self, event):
        pass  # the starter's mistake: no accept, and nothing left running that could send one


class AnswersAfterATimer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(self.send_text("late")))

    async def send_text(self, text):
        await self.send({"type": "websocket.send", "text": text})


class AnswersFromASlowThread(SyncConsumer):
    def websocket_connect(self, event):
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        time.sleep(0.2)  # a sync handler still at work in its thread: it will send
        self.send({"type": "websocket.send", "text": "slow"})


class SendsAfterStallingThenEnds(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except LookupError:
            await send({"type": "websocket.close", "code": 4000})  # its last event, sent as it ends

    async def websocket_connect(self, event):
        time.sleep(0.05)  # the waiting check's slice runs out meanwhile
        raise LookupError("gone")


async def test_a_socket_nothing_will_accept_is_refused_without_waiting_out_the_deadline():
    communicator = WebsocketCommunicator(NeverAccepts.as_asgi(), "/")
    await communicator.send_input({"type": "websocket.connect"})
    assert await answer(communicator, NEVER) == NOTHING


async def test_channels_own_connect_in_a_check_ends_the_same_way(monkeypatch):
    # exercises/conftest.py gives asgiref's receive_output() the probes' wait, in every check
    monkeypatch.setattr(ApplicationCommunicator, "receive_output", waits.receive_output)
    communicator = WebsocketCommunicator(NeverAccepts.as_asgi(), "/")
    with pytest.raises(TimeoutError):
        await communicator.connect(timeout=NEVER)


async def test_a_timer_the_consumer_set_keeps_the_wait_open_until_its_frame():
    communicator = await probes.connect(AnswersAfterATimer.as_asgi())
    await communicator.send_to(text_data="hello")
    assert (await answer(communicator, NEVER))["text"] == "late"


async def test_a_handler_still_working_in_its_thread_keeps_the_wait_open_until_its_frame():
    communicator = await probes.connect(AnswersFromASlowThread.as_asgi())
    await communicator.send_to(text_data="hello")
    assert (await answer(communicator, NEVER))["text"] == "slow"


async def test_a_wait_for_silence_sees_the_frame_a_thread_sends_later():
    communicator = await probes.connect(AnswersFromASlowThread.as_asgi())
    await communicator.send_to(text_data="hello")
    assert not await nothing_more(communicator, NEVER)


async def test_the_loop_watchers_own_heartbeat_does_not_keep_a_wait_open():
    async with never_blocks():
        communicator = WebsocketCommunicator(NeverAccepts.as_asgi(), "/")
        await communicator.send_input({"type": "websocket.connect"})
        assert await answer(communicator, NEVER) == NOTHING


async def test_a_frame_sent_just_before_the_consumer_ended_is_still_read():
    communicator = WebsocketCommunicator(SendsAfterStallingThenEnds.as_asgi(), "/")
    await communicator.send_input({"type": "websocket.connect"})
    assert await answer(communicator, NEVER) == {"type": "websocket.close", "code": 4000}


async def test_a_pending_timer_is_not_settled():
    handle = asyncio.get_running_loop().call_later(NEVER, lambda: None)
    try:
        assert not settled()
    finally:
        handle.cancel()
    assert settled()


async def test_a_loop_whose_watched_files_cannot_be_read_is_never_settled(monkeypatch):
    loop = asyncio.get_running_loop()
    assert settled()
    with monkeypatch.context() as patched:  # Windows' proactor loop names its IocpProactor _selector: no get_map()
        patched.setattr(loop, "_selector", object())
        assert not settled()


async def test_settled_reads_the_loop_safely_while_another_thread_schedules_work():
    # An executor's thread hands its result back with call_soon_threadsafe(), which appends to the loop's
    # ready queue while settled() may be reading it: reading it in place raised "deque mutated during
    # iteration" inside a check (11.1's solution, beside a CPU hog), told as a crash of the student's code.
    loop, stop = asyncio.get_running_loop(), threading.Event()

    def schedule() -> None:
        while not stop.is_set():
            loop.call_soon_threadsafe(lambda: None)

    heartbeat = ours(asyncio.create_task(asyncio.sleep(NEVER)))  # a probe's own task: settled() reads past its steps
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads take turns as often as they can: the race, every time
    scheduler = threading.Thread(target=schedule)
    scheduler.start()
    try:
        for _ in range(100):
            for _ in range(500):
                loop.call_soon(heartbeat.done)  # a long ready queue that settled() reads to its end
            settled()  # the failure: RuntimeError("deque mutated during iteration"), from reading it in place
            await asyncio.sleep(0)
    finally:
        stop.set()
        scheduler.join()
        sys.setswitchinterval(switch)
        heartbeat.cancel()
