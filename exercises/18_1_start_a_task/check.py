"""Check 18.1: start a background task from a socket, answer its id, refuse bad input, keep a budget per address.

Its tests prove the task's numbered rules (start_task.py), each naming its rule: the id of the saved row,
the ORM off the event loop, bad frames, 3 tasks in flight per address across its sockets (a RUNNING one too), a
reconnect, a failed enqueue, frames at once.
"""

import asyncio
import json
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult

from exercises.probes import NOTHING, close_all, connect_from, failure_not_swallowed, frame, never_blocks, nothing_more
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first
from exercises.probes.background_tasks import addresses, an_id, asked, refused, started, worker_elsewhere, worker_moves

EXERCISE, CONSUMER, LIMIT = "18.1", "StartTaskConsumer", 3
RULE = 'StartTaskConsumer answers {"below": N} (1 to 1,000,000) with {"id": <the enqueued task\'s id>}'
pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows the sockets saved
rows = DBTaskResult.objects.acount  # await rows(): how many tasks were enqueued
address = addresses()  # address(): an address no earlier test's tasks count against


@pytest.mark.rule(1)
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


@pytest.mark.rule(2)
async def test_bad_frames_get_an_error_enqueue_nothing_and_spend_no_budget(app):
    communicator = await connect_from(app, address())
    await communicator.send_input({"type": "websocket.receive", "bytes": b'{"below": 1000}'})
    refused(await frame(communicator), "a binary frame", "the frames are JSON text")
    for text in BAD_FRAMES:
        await communicator.send_to(text_data=text)
        refused(await frame(communicator), f"the frame {text!r}", "below is a JSON whole number from 1 to 1,000,000")
        assert await rows() == 0, f"the frame {text!r} enqueued a task: a bad frame enqueues nothing"
    proved("bad frames", len(BAD_FRAMES) + 1)
    for below in range(1, LIMIT + 1):
        await started(communicator, below)  # bad frames are not tasks: the budget is whole
    await close_all(communicator)


@pytest.mark.rule(3, 4)
async def test_an_address_has_three_tasks_in_flight_and_one_more_once_one_finishes(app):
    first = await connect_from(app, home := address())
    for below in (10, 20, 30):
        await started(first, below)
    refused(await asked(first, 40), f"a 4th task from {home} with 3 in flight", f"at most {LIMIT} per address")
    claimer, second = await connect_from(app, home, claims="10.9.8.7"), await connect_from(app, home)
    proved("sockets", 3)
    for communicator, how in ((second, ""), (claimer, "claiming another address in X-Forwarded-For and the like")):
        why = "the budget is the address's (scope['client'][0]), whatever socket, port or header it comes with"
        refused(await asked(communicator, 40), f"a 4th task from {home} on another socket {how}".rstrip(), why)
    assert await rows() == LIMIT, f"{await rows()} tasks were enqueued: a task refused is never enqueued"
    await started(other := await connect_from(app, address()), 50)  # another address has its own budget
    await worker_elsewhere("check-18-1")  # the three finish (and the other address's)
    assert an_id(got := await asked(first, 60)), (
        f"a worker finished the address's 3 tasks (SUCCESSFUL in their rows), and its next frame got {got}: a task "
        "counts while it is in flight, not for ever; ask its row (aget_result(id).is_finished): the worker is "
        "another process, and its task_finished signal never reaches this one"
    )
    await close_all(first, claimer, second, other)


@pytest.mark.rule(4)
async def test_a_running_task_counts_and_the_first_to_finish_gives_its_place_back(app):
    communicator = await connect_from(app, home := address())
    first, second, third = [await started(communicator, below) for below in (10, 20, 30)]
    await worker_moves(first, "RUNNING")  # a worker took the oldest: it runs, it is not over
    refused(
        await asked(communicator, 40),
        f"a 4th task from {home} while its 1st is RUNNING and the others READY",
        "a RUNNING task is in flight too: only a row that says SUCCESSFUL or FAILED gives its place back",
    )
    await worker_moves(third, "SUCCESSFUL")  # another worker finished the newest first
    assert an_id(got := await asked(communicator, 40)), (
        f"of {home}'s 3 tasks, the 3rd finished first (SUCCESSFUL in its row) while the 1st is RUNNING, and the next "
        f"frame got {got}: a worker runs tasks in any order, so ask each task's row, not only the oldest"
    )
    refused(
        await asked(communicator, 50),
        f"one more task from {home}, its 1st RUNNING, its 2nd READY and a new one enqueued",
        "3 are in flight again: a task that finished gives one place back, once",
    )
    await close_all(communicator)


@pytest.mark.rule(6)
async def test_a_socket_that_reconnects_finds_its_tasks_still_counted(app):
    first = await connect_from(app, home := address())
    ids = [await started(first, below) for below in (10, 20, 30)]
    await close_all(first)  # the page was reloaded: its tasks run on
    again = await connect_from(app, home)
    refused(
        await asked(again, 40),
        f"a task asked for by a new socket of {home}, whose 3 tasks of a closed socket are still in flight",
        "a socket that closes leaves its tasks running, and they still count: keep them by address, not by socket",
    )
    await worker_moves(ids[1], "SUCCESSFUL")
    assert an_id(got := await asked(again, 40)), (
        f"one of the 3 tasks {home} started on a socket it has since closed finished (SUCCESSFUL in its row), and "
        f"the new socket's frame got {got}: a finished task gives its place back, whichever socket started it"
    )
    await close_all(again)


@pytest.mark.rule(4, 5)
async def test_a_failed_enqueue_or_a_failed_task_gives_its_place_back(app, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(DBTaskResult, "save", mock.Mock(side_effect=ConnectionError("database down")))
        await (lost := await connect_from(app, home := address())).send_to(text_data='{"below": 10}')
        down = "the enqueue raised (the database is down: the task's row could not be saved)"
        await failure_not_swallowed(lost, down, "its client", "no id came", "id")
    communicator = await connect_from(app, home)
    for n, below in enumerate((10, 20, 30), 1):
        assert an_id(got := await asked(communicator, below)), (
            f"one enqueue of {home} failed (it raised: the database was down), and its task {n} of 3 then got {got}: give back the "
            "place a frame took when its enqueue fails (try/finally), or each failure costs the address one for good"
        )
    monkeypatch.setattr("tasks_demo.tasks.is_prime", lambda n: 1 / 0)  # each task raises in the worker
    await worker_elsewhere("check-18-1")
    assert await DBTaskResult.objects.filter(status="FAILED").acount() == LIMIT
    assert an_id(got := await asked(communicator, 40)), (
        f"a worker ran the address's 3 tasks and each FAILED (so says its row), and its next frame got {got}: a task "
        "in flight is one not yet finished, and FAILED is finished as well as SUCCESSFUL (result.is_finished)"
    )
    await close_all(communicator)


@pytest.mark.rule(3)
async def test_frames_at_once_never_start_more_than_the_budget(app):
    home, fresh = address(), address()
    four = [await connect_from(app, fresh) for _ in range(4)]
    answers = await asyncio.gather(*(asked(ws, n) for n, ws in enumerate(four, 1)))  # sent at once, then read
    assert NOTHING not in answers and sum(map(an_id, answers)) == LIMIT, (
        f"four sockets of {fresh} asked for a task at the same moment, with none in flight, and got {answers}: "
        f"exactly {LIMIT} may start. Count the tasks being enqueued too: take the place before the await that "
        "enqueues (and give it back if that fails), so a frame judged during that await counts it"
    )
    ada, bob = await connect_from(app, home), await connect_from(app, home)
    await started(ada, 10)
    await started(bob, 20)
    answers = await asyncio.gather(asked(ada, 30), asked(bob, 40))
    assert NOTHING not in answers and sum(map(an_id, answers)) == 1, (
        f"with 2 tasks in flight, two sockets of {home} asked for one more at the same moment and got {answers}: "
        "exactly one may start. Take the place before the await that enqueues: a frame judged meanwhile counts it"
    )
    assert await rows() == 2 * LIMIT
    await close_all(ada, bob, *four)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
