"""Check 18.1: start a background task from a socket, answer its id, refuse bad input, keep a budget per address.

The behaviours, in order: a frame {"below": N} enqueues count_primes and answers the id of its saved row, the ORM
off the event loop; bad frames get an error and enqueue nothing, without spending the budget; an address has 3 tasks
in flight across its sockets and whatever its headers claim, and one more once a worker has finished one; a failed
enqueue is told and gives its place back, as a FAILED task does; frames at once never start more than the budget.
"""

import asyncio
import itertools
import json
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from django_tasks_db.models import DBTaskResult

from exercises.probes import NOTHING, close_all, connect_from, failure_not_swallowed, frame, never_blocks, nothing_more
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first, run_the_queue
from tasks_demo.framework import task_finished
from tasks_demo.tasks import count_primes

EXERCISE, CONSUMER, LIMIT = "18.1", "StartTaskConsumer", 3
RULE = 'StartTaskConsumer answers {"below": N} (1 to 1,000,000) with {"id": <the enqueued task\'s id>}'
pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows the sockets saved
rows = DBTaskResult.objects.acount  # await rows(): how many tasks were enqueued
address = map("198.51.100.{}".format, itertools.count(1)).__next__  # an address no earlier test's tasks count against


def worker_elsewhere() -> None:
    """A worker runs every task waiting, as db_worker does in a process of its own: its signals reach no code here."""
    with mock.patch.object(task_finished, "receivers", []):
        run_the_queue("check-18-1")


async def started(communicator, below: int) -> str:
    """Send {"below": below}: the answer must be {"id": ...}, the id of a saved count_primes row asking for it."""
    await communicator.send_to(text_data=json.dumps({"below": below}))
    got = await frame(communicator)
    assert isinstance(got, dict) and isinstance(got.get("id"), str) and "error" not in got, (
        f'{{"below": {below}}} must be answered {{"id": "<the task\'s id>"}} on its own socket, got {got}'
    )
    result = await count_primes.aget_result(got["id"])
    assert result.kwargs.get("below") == below and result.status == "READY", (
        f"the id you sent names a task with {result.kwargs} ({result.status}): enqueue count_primes(below={below}) "
        "with aenqueue() and answer with the id of the TaskResult it returns"
    )
    return got["id"]


async def refused(communicator, sent: str, why: str) -> None:
    got = await frame(communicator)
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"], (
        f'{sent} must get {{"error": "<why>"}} on its own socket, got {got}: {why}'
    )


async def test_a_frame_enqueues_count_primes_and_answers_the_id_of_its_saved_row(app):
    with queries_by_thread() as ran, queries_told_first(ran, "Enqueue with await count_primes.aenqueue(...)."):
        async with never_blocks(0.25):
            ada, bob = await connect_from(app, address()), await connect_from(app, address())
            proved("sockets", 2)
            first, second = await started(ada, 1000), await started(bob, 1)
            assert first != second and await started(ada, 1_000_000) not in (first, second)
            assert await nothing_more(bob, 0.05), "ada's answer reached bob's socket too: answer the sender only"
            proved("boundaries", 2)
            await close_all(ada, bob)
    orm_where_it_belongs(ran, "Enqueue with await count_primes.aenqueue(...): it saves the row in Django's thread.")


BAD_FRAMES = ["not json", "{", "null", "[1000]", '"1000"', "{}", '{"other": 1000}', '{"below": null}']
BAD_FRAMES += [json.dumps({"below": v}) for v in ("1000", "", 2.5, 1000.0, True, False, [1000], {"n": 1}, 0, -5)]
BAD_FRAMES += ['{"below": 1000001}', '{"below": 1e100}', '{"below": 99999999999999999999}']


async def test_bad_frames_get_an_error_enqueue_nothing_and_spend_no_budget(app):
    communicator = await connect_from(app, address())
    await communicator.send_input({"type": "websocket.receive", "bytes": b'{"below": 1000}'})
    await refused(communicator, "a binary frame", "the frames are JSON text")
    for text in BAD_FRAMES:
        await communicator.send_to(text_data=text)
        await refused(communicator, f"the frame {text!r}", "below is a JSON whole number from 1 to 1,000,000")
        assert await rows() == 0, f"the frame {text!r} enqueued a task: a bad frame enqueues nothing"
    proved("bad frames", len(BAD_FRAMES) + 1)
    for below in range(1, LIMIT + 1):
        await started(communicator, below)  # bad frames are not tasks: the budget is whole
    await close_all(communicator)


async def test_an_address_has_three_tasks_in_flight_and_one_more_once_one_finishes(app):
    first = await connect_from(app, home := address())
    for below in (10, 20, 30):
        await started(first, below)
    await first.send_to(text_data='{"below": 40}')
    await refused(first, f"a 4th task from {home} with 3 in flight", f"an address has at most {LIMIT} in flight")
    claimer = await connect_from(app, home, claims="10.9.8.7")
    second = await connect_from(app, home)
    proved("sockets", 3)
    for communicator, how in ((second, ""), (claimer, "claiming another address in X-Forwarded-For and the like")):
        await communicator.send_to(text_data='{"below": 40}')
        why = "the budget is the address's (scope['client'][0]), whatever socket, port or header it comes with"
        await refused(communicator, f"a 4th task from {home} on another socket {how}".rstrip(), why)
    assert await rows() == LIMIT, f"{await rows()} tasks were enqueued: a task refused is never enqueued"
    await started(other := await connect_from(app, address()), 50)  # another address has its own budget
    await sync_to_async(worker_elsewhere)()  # the three finish (and the other address's)
    await first.send_to(text_data='{"below": 60}')
    assert isinstance(got := await frame(first), dict) and "id" in got, (
        f"a worker finished the address's 3 tasks (SUCCESSFUL in their rows), and its next frame got {got}: a task "
        "counts while it is in flight, not for ever; ask its row (aget_result(id).is_finished): the worker is "
        "another process, and its task_finished signal never reaches this one"
    )
    await close_all(first, claimer, second, other)


async def test_a_failed_enqueue_or_a_failed_task_gives_its_place_back(app, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(type(count_primes), "aenqueue", mock.AsyncMock(side_effect=ConnectionError("database down")))
        await (lost := await connect_from(app, home := address())).send_to(text_data='{"below": 10}')
        await failure_not_swallowed(lost, "aenqueue() raised (the database is down)", "its client", "no id came", "id")
    communicator = await connect_from(app, home)
    for n, below in enumerate((10, 20, 30), 1):
        await communicator.send_to(text_data=f'{{"below": {below}}}')
        assert isinstance(got := await frame(communicator), dict) and "id" in got, (
            f"one enqueue of {home} failed (aenqueue() raised), and its task {n} of 3 then got {got}: give back the "
            "place a frame took when its enqueue fails (try/finally), or each failure costs the address one for good"
        )
    monkeypatch.setattr("tasks_demo.tasks.is_prime", lambda n: 1 / 0)  # each task raises in the worker
    await sync_to_async(worker_elsewhere)()
    assert await DBTaskResult.objects.filter(status="FAILED").acount() == LIMIT
    await communicator.send_to(text_data='{"below": 40}')
    assert isinstance(got := await frame(communicator), dict) and "id" in got, (
        f"a worker ran the address's 3 tasks and each FAILED (so says its row), and its next frame got {got}: a task "
        "in flight is one not yet finished, and FAILED is finished as well as SUCCESSFUL (result.is_finished)"
    )
    await close_all(communicator)


async def test_frames_at_once_never_start_more_than_the_budget(app):
    home, fresh = address(), address()
    four = [await connect_from(app, fresh) for _ in range(4)]
    await asyncio.gather(*(ws.send_to(text_data=f'{{"below": {n}}}') for n, ws in enumerate(four, 1)))
    answers = [await frame(ws) for ws in four]
    ids = [got for got in answers if isinstance(got, dict) and "id" in got]
    assert NOTHING not in answers and len(ids) == LIMIT, (
        f"four sockets of {fresh} asked for a task at the same moment, with none in flight, and got {answers}: "
        f"exactly {LIMIT} may start. Count the tasks being enqueued too: take the place before the await that "
        "enqueues (and give it back if that fails), so a frame judged during that await counts it"
    )
    ada, bob = await connect_from(app, home), await connect_from(app, home)
    await started(ada, 10)
    await started(bob, 20)
    await asyncio.gather(ada.send_to(text_data='{"below": 30}'), bob.send_to(text_data='{"below": 40}'))
    answers = [await frame(ada), await frame(bob)]
    ids = [got for got in answers if isinstance(got, dict) and "id" in got]
    assert NOTHING not in answers and len(ids) == 1, (
        f"with 2 tasks in flight, two sockets of {home} asked for one more at the same moment and got {answers}: "
        "exactly one may start. Take the place before the await that enqueues: a frame judged meanwhile counts it"
    )
    assert await rows() == 2 * LIMIT
    await close_all(ada, bob, *four)
