"""The checks' waits end on the event: a consumer that is gone is told at once, and sockets close together.

A wrong solution mostly never answers, and a check waits FRAME for what must come. A consumer
that has already crashed or returned can send nothing more, so waiting out FRAME for it only
slows the student's run and the kit's proof (exercises/probes/: next_output, close_all).
These tests pass a deadline no run reaches: if a wait did not end on its event, pytest-timeout
would end the test.
"""

import asyncio
import json

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from channels.testing import HttpCommunicator, WebsocketCommunicator

from exercises import probes
from exercises.probes import NOTHING, answer, close_all, crashed, crashes

NEVER = 3600.0  # seconds: longer than any test may run (tests/conftest.py sets pytest-timeout)


class CrashesAfterAFrame(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await asyncio.sleep(0.01)  # the crash comes while the check is already waiting for an answer
        raise KeyError("bytes")


class StopsWithoutAWord(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        raise StopConsumer()


async def opened(consumer: type[AsyncConsumer]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    connected, _ = await communicator.connect(timeout=probes.FRAME)
    assert connected
    return communicator


async def test_answer_tells_a_crash_during_its_wait_without_waiting_out_its_deadline():
    communicator = await opened(CrashesAfterAFrame)
    await communicator.send_to(text_data="hello")
    with pytest.raises(pytest.fail.Exception, match="your code raised KeyError"):
        await answer(communicator, NEVER)


class ParsesTheBodyBlindly(AsyncHttpConsumer):
    async def handle(self, body):
        await self.send_response(200, str(sum(json.loads(body))).encode())  # "[1, {}]" raises: a 500 from Daphne


async def test_an_http_consumers_crash_is_told_as_daphnes_500_not_a_sockets_1011():
    communicator = HttpCommunicator(ParsesTheBodyBlindly.as_asgi(), "POST", "/", body=b"[1, {}]")
    await communicator.send_input({"type": "http.request", "body": b"[1, {}]"})
    with pytest.raises(pytest.fail.Exception) as failed:
        await answer(communicator, NEVER)
    assert "answers 500" in str(failed.value) and "1011" not in str(failed.value)


async def test_answer_is_nothing_as_soon_as_the_consumer_has_ended_quietly():
    communicator = await opened(StopsWithoutAWord)
    await communicator.send_to(text_data="hello")
    assert await answer(communicator, NEVER) == NOTHING


async def test_close_all_disconnects_every_socket_before_it_waits_for_any_consumer(monkeypatch):
    happened = []

    class NeverStops(AsyncConsumer):  # the mistake: websocket_disconnect returns, StopConsumer never comes
        async def websocket_connect(self, event):
            await self.send({"type": "websocket.accept"})

        async def websocket_disconnect(self, event):
            happened.append("disconnected")
            try:
                await asyncio.Event().wait()
            finally:
                happened.append("given up on")  # close_all's wait ran out and cancelled the consumer

    monkeypatch.setattr(
        probes.communicators, "FRAME", 0.2
    )  # how long close_all waits for each end; the order is the verdict
    everyone = [await opened(NeverStops) for _ in range(3)]
    await close_all(*everyone)
    assert happened == ["disconnected"] * 3 + ["given up on"] * 3


class AnswersLate(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await asyncio.sleep(0.3)  # a broadcast due 0.3 s on: on a starved machine it runs late
        await self.send({"type": "websocket.send", "text": "late"})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


async def test_a_quiet_wait_gives_back_the_time_its_thread_waited_for_a_core(monkeypatch):
    # A busy machine, told by the kernel's schedstat: at each look, this thread has waited 50 ms more for a core.
    real, starved = probes.waits.stamp, iter(range(10**9))
    monkeypatch.setattr(probes.waits, "stamp", lambda: (real()[0], next(starved) * 0.05))
    communicator = await opened(AnswersLate)
    await communicator.send_to(text_data="hello")
    # 0.1 s of the thread's own time is more than it got before the frame: the frame comes inside the wait.
    assert not await probes.nothing_more(communicator, 0.1)
    await close_all(communicator)


async def test_a_quiet_wait_ends_on_the_wall_clock_on_a_machine_that_never_starved_it(monkeypatch):
    real = probes.waits.stamp
    monkeypatch.setattr(probes.waits, "stamp", lambda: (real()[0], 0.0))
    communicator = await opened(AnswersLate)
    await communicator.send_to(text_data="hello")
    assert await probes.nothing_more(communicator, 0.1)  # the frame comes 0.3 s on, after the wait
    await close_all(communicator)


async def test_a_wait_for_what_must_come_keeps_the_wall_clock_however_starved(monkeypatch):
    real, starved = probes.waits.stamp, iter(range(10**9))
    monkeypatch.setattr(probes.waits, "stamp", lambda: (real()[0], next(starved) * 0.05))
    monkeypatch.setattr(probes.waits, "FRAME", 0.1)  # a liveness deadline of 0.1 s: the frame comes 0.3 s on
    communicator = await opened(AnswersLate)
    await communicator.send_to(text_data="hello")
    assert await answer(communicator, 0.1) == NOTHING


def test_a_crash_names_the_line_of_the_students_file_it_was_raised_at(tmp_path, monkeypatch):
    student = tmp_path / "members_only.py"
    student.write_text("def greet(user):\n    return user['name']\n")
    monkeypatch.setattr(crashes, "CHECKED_FILES", {str(student)})
    namespace = {}
    exec(compile(student.read_text(), str(student), "exec"), namespace)
    with pytest.raises(KeyError) as raised:
        namespace["greet"]({})
    assert crashed(raised.value).endswith("(raised at line 2 of your file: return user['name'])")
