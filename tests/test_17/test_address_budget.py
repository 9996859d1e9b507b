"""Lesson 17: reports and shares from one address share one budget (workshop/limits.py), above a class's needs."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers.clients import ORIGIN
from tests.helpers.workshop import a_room, answer_to
from workshop import limits

pytestmark = pytest.mark.django_db(transaction=True)
NAT, ELSEWHERE = "203.0.113.9", "198.51.100.4"  # a room behind one address, and a laptop elsewhere
REPORT = {"report": {"exercise": "01.1", "status": "failing", "check": "it accepts the socket"}}
SLOW_DOWN = {"error": "too many frames: slow down"}


async def from_address(address: str, token: str) -> WebsocketCommunicator:
    """A student socket from `address`, its token sent; the answer (joined, or a close) left unread."""
    communicator = WebsocketCommunicator(application, "/ws/workshop/student/", headers=ORIGIN)
    communicator.scope["client"] = (address, 50000)
    assert (await communicator.connect(FRAME))[0]
    await communicator.send_json_to({"token": token})
    return communicator


async def test_thirty_students_behind_one_address_report_at_once_unrefused(budgets):
    _, tokens = await database_sync_to_async(a_room)(*(f"student{n}" for n in range(30)))
    answers = []
    for token in tokens:  # each one socket, as `exercise 01.1` opens: its token, a report, a heartbeat
        communicator = await from_address(NAT, token)
        assert "joined" in await communicator.receive_json_from(FRAME)
        answers.append(await answer_to(communicator, REPORT))
        await communicator.send_json_to({"here": True})
        await communicator.disconnect(timeout=FRAME)
    assert answers == [{"ok": "report"}] * 30


async def test_students_of_one_address_share_its_budget_not_one_each(budgets, monkeypatch):
    monkeypatch.setattr(limits, "ADDRESS_BURST", 30)  # smaller than two students' own: the address's says no first
    _, (first, second, third, other) = await database_sync_to_async(a_room)("first", "second", "third", "other")
    one = await from_address(NAT, first)  # a token: 1 of the address's 30
    assert "joined" in await one.receive_json_from(FRAME)
    for _ in range(19):
        await one.send_json_to({"here": True})
    assert await answer_to(one, REPORT) == {"ok": "report"}  # 21 spent, and all of first's own 20
    two = await from_address(NAT, second)
    assert "joined" in await two.receive_json_from(FRAME)
    for _ in range(7):
        await two.send_json_to({"here": True})
    assert await answer_to(two, REPORT) == {"ok": "report"}  # the address's 30th
    assert await answer_to(two, REPORT) == SLOW_DOWN  # second has 12 of its own left
    three = await from_address(NAT, third)
    assert await three.receive_output(FRAME) == {"type": "websocket.close", "code": 4429}  # no login either
    elsewhere = await from_address(ELSEWHERE, other)
    assert "joined" in await elsewhere.receive_json_from(FRAME)
    assert await answer_to(elsewhere, REPORT) == {"ok": "report"}  # another address is not held
    for communicator in (one, two, three, elsewhere):
        await communicator.disconnect(timeout=FRAME)


async def test_the_addresss_budget_refills_at_its_rate(budgets, monkeypatch):
    monkeypatch.setattr(limits, "ADDRESS_BURST", 3)
    _, tokens = await database_sync_to_async(a_room)("first", "second")
    one = await from_address(NAT, tokens[0])
    assert "joined" in await one.receive_json_from(FRAME)
    assert [await answer_to(one, REPORT) for _ in range(3)] == [{"ok": "report"}] * 2 + [SLOW_DOWN]
    budgets[0] += 1.0  # a second: ADDRESS_RATE tokens, the bucket full again at 3
    assert [await answer_to(one, REPORT) for _ in range(4)] == [{"ok": "report"}] * 3 + [SLOW_DOWN]
    await one.disconnect(timeout=FRAME)


async def test_this_machine_itself_is_not_an_address_the_budget_counts(budgets, monkeypatch):
    monkeypatch.setattr(limits, "ADDRESS_BURST", 1)  # one frame would spend it, were 127.0.0.1 counted
    _, tokens = await database_sync_to_async(a_room)("instructor's terminal", "a try on one laptop")
    for token in tokens:
        communicator = await from_address("127.0.0.1", token)
        assert "joined" in await communicator.receive_json_from(FRAME)
        assert await answer_to(communicator, REPORT) == {"ok": "report"}
        await communicator.disconnect(timeout=FRAME)
