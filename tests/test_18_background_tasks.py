"""Lesson 18: a socket enqueues a task, the worker's progress reaches it through a group, the result is fetched by id.

The worker here is django-tasks-db's own Worker (what `manage.py db_worker --batch` runs), in a thread of
this test's process, so its group_send reaches the in-memory layer; test_18_background_tasks_slow.py starts
`db_worker` as a process beside a Daphne, on Redis, and kills it mid-task.
"""

import asyncio
import gc
import weakref

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django_tasks_db.management.commands.db_worker import Worker

from harness.patience import FRAME
from layers_demo.primes import WORKER_CHANNEL
from tasks_demo import tasks
from tasks_demo.budget import MAX_IN_FLIGHT
from tasks_demo.consumers import MAX_BELOW, TasksConsumer
from tasks_demo.framework import task_finished
from tasks_demo.tasks import count_primes

# The worker's thread reads the rows the socket saved; nobody has tasks in flight yet.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_task_budgets")]
RUNNING = {"status": "RUNNING"}  # a worker claimed it (the framework's task_started signal)
PERCENTS = [{"percent": p} for p in range(5, 101, 5)]
RESULT = {"below": 1000, "primes": 168}


def run_the_queue() -> None:
    """Run every task waiting in the queue, then return: `manage.py db_worker --batch`, without its signal handlers."""
    options = {"queue_names": ["default"], "excluded_queue_names": [], "backend_name": "default", "max_tasks": None}
    Worker(interval=0, batch=True, startup_delay=False, worker_id="test-worker", **options).run()


async def tasks_socket(client: str = "127.0.0.1") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(TasksConsumer.as_asgi(), "/ws/tasks/")
    communicator.scope["client"] = (client, 50000)
    assert (await communicator.connect())[0]
    return communicator


async def frames_until_finished(communicator: WebsocketCommunicator) -> list[dict]:
    """Every frame up to the one with a finished status, each without its "id"."""
    frames = []
    while not frames or frames[-1].get("status") not in {"SUCCESSFUL", "FAILED"}:
        frame = await communicator.receive_json_from(timeout=FRAME)
        frames.append({key: value for key, value in frame.items() if key != "id"})
    return frames


async def test_a_started_task_is_saved_as_ready_and_the_socket_gets_its_id():
    ws = await tasks_socket()
    await ws.send_json_to({"below": 1000})
    frame = await ws.receive_json_from()
    assert frame == {"id": frame["id"], "status": "READY"}
    assert (await count_primes.aget_result(frame["id"])).kwargs == {"below": 1000, "fail_at": None}
    await ws.disconnect()


async def test_the_worker_reports_running_then_every_5_percent_then_the_result_by_id():
    ws = await tasks_socket()
    await ws.send_json_to({"below": 1000})
    assert (await ws.receive_json_from())["status"] == "READY"
    await sync_to_async(run_the_queue)()
    assert await frames_until_finished(ws) == [RUNNING, *PERCENTS, {"status": "SUCCESSFUL", "result": RESULT}]
    await ws.disconnect()


def test_the_finished_receiver_is_held_by_its_module_so_it_is_never_collected():
    gc.collect()  # a signal holds receivers weakly: @task_finished.connect (which returns None) would lose it here
    assert callable(tasks.announce_finished)
    held = [entry[1] for entry in task_finished.receivers]  # (key, receiver, ...): 3 items on Django 5.2, 4 on 6
    assert tasks.announce_finished in [r() if isinstance(r, weakref.ReferenceType) else r for r in held]


async def test_a_socket_that_comes_back_fetches_the_result_by_id():
    first = await tasks_socket()
    await first.send_json_to({"below": 1000})
    task_id = (await first.receive_json_from())["id"]
    await first.disconnect()
    await sync_to_async(run_the_queue)()
    again = await tasks_socket()
    await again.send_json_to({"watch": task_id})
    assert await again.receive_json_from() == {"id": task_id, "status": "SUCCESSFUL", "result": RESULT}
    await again.disconnect()


async def test_a_task_that_raises_reaches_the_page_as_failed_with_its_exception_class_only():
    ws = await tasks_socket()
    await ws.send_json_to({"below": 1000, "fail_at": 50})
    task_id = (await ws.receive_json_from())["id"]
    await sync_to_async(run_the_queue)()
    assert await frames_until_finished(ws) == [RUNNING, *PERCENTS[:9], {"status": "FAILED", "exception": "GaveUp"}]
    # The row keeps the message and the traceback; the page gets neither.
    assert "asked to fail at 50 %" in (await count_primes.aget_result(task_id)).errors[0].traceback
    await ws.disconnect()


async def test_a_channel_layer_that_fails_costs_the_progress_messages_but_not_the_result(monkeypatch):
    def layer_down(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks, "get_channel_layer", lambda: type("Down", (), {"group_send": layer_down})())
    ws = await tasks_socket()
    await ws.send_json_to({"below": 1000})
    task_id = (await ws.receive_json_from())["id"]
    await sync_to_async(run_the_queue)()
    assert await ws.receive_nothing()  # no progress, no "finished": both went through the layer
    assert (await count_primes.aget_result(task_id)).return_value == RESULT
    await ws.disconnect()


BAD_FRAMES = [
    ("not json", "expected"),
    ("[1000]", "expected"),
    ('{"below": 0}', '"below" must be a whole number 1 to'),
    (f'{{"below": {MAX_BELOW + 1}}}', '"below" must be'),
    ('{"below": true}', '"below" must be'),
    ('{"below": "1000"}', '"below" must be'),
    ('{"below": 1000, "fail_at": 101}', '"fail_at" must be a whole number 1 to 100'),
    ('{"watch": "not-an-id"}', '"watch" must be a task id'),
    ('{"watch": 7}', '"watch" must be a task id'),
    # A well-formed id no task has (fixed: xdist workers must collect the same ids).
    ('{"watch": "00000000-0000-4000-8000-000000000000"}', "no task"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_FRAMES)
async def test_bad_input_gets_an_error_frame_and_the_socket_stays_open(text, reason):
    ws = await tasks_socket()
    await ws.send_to(text_data=text)
    assert reason in (await ws.receive_json_from())["error"]
    await ws.send_json_to({"below": 10})
    assert (await ws.receive_json_from())["status"] == "READY"
    await ws.disconnect()


async def test_a_binary_frame_gets_an_error_frame():
    ws = await tasks_socket()
    await ws.send_to(bytes_data=b'{"below": 10}')
    assert "expected" in (await ws.receive_json_from())["error"]
    await ws.disconnect()


async def test_a_client_with_its_budget_in_flight_is_refused_one_more_until_one_finishes():
    ws = await tasks_socket()
    for _ in range(MAX_IN_FLIGHT):
        await ws.send_json_to({"below": 10})
        assert (await ws.receive_json_from())["status"] == "READY"
    await ws.send_json_to({"below": 10})
    assert f"you have {MAX_IN_FLIGHT} tasks running" in (await ws.receive_json_from())["error"]
    await sync_to_async(run_the_queue)()
    await ws.send_json_to({"below": 10})
    while "status" not in (frame := await ws.receive_json_from()) or frame["status"] != "READY":
        assert "error" not in frame
    await ws.disconnect()


async def test_the_budget_is_per_client_so_another_address_still_starts_tasks():
    busy = await tasks_socket("192.0.2.1")
    for _ in range(MAX_IN_FLIGHT):
        await busy.send_json_to({"below": 10})
        await busy.receive_json_from()
    other = await tasks_socket("192.0.2.2")
    await other.send_json_to({"below": 10})
    assert (await other.receive_json_from())["status"] == "READY"
    await busy.disconnect()
    await other.disconnect()


@pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
async def test_a_job_a_channels_worker_took_is_gone_from_the_layer_so_its_death_loses_it(layer):
    # Lesson 06's worker, for the comparison: the job is a layer message, and receive() removes it.
    channel_layer = get_channel_layer()
    await channel_layer.send(WORKER_CHANNEL, {"type": "primes.count", "below": 10, "reply_to": "nobody"})
    await channel_layer.receive(WORKER_CHANNEL)  # what runworker does before it runs the job, and then dies
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):  # proving silence: a short wait, receive_nothing()'s (lesson 09)
            await channel_layer.receive(WORKER_CHANNEL)
