"""Lesson 18 on real processes: a Daphne and `manage.py db_worker` processes sharing Redis and the test database.

What a worker's death costs, measured: killed (SIGKILL, by its PID) mid-task, its lease runs out and another
worker runs the task again, or marks it FAILED when it may not run twice, and its owner may start another;
stopped (SIGTERM), the worker finishes the task first. A Redis restarted under a running task costs progress
messages, never the result; and the page's progress bar, in Chromium.
"""

import contextlib
import signal

import pytest
from asgiref.sync import sync_to_async

from harness.patience import COMMAND, SERVER_STOP, patient
from tasks_demo.models import WorkerLease
from tasks_demo.tasks import count_primes
from tests.helpers.clients import next_frame, open_socket, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # rows written by other processes
BIG = 2_000_000  # seconds of counting: the first 5 % reported leaves at least 19 times as much to do
BIG_RESULT = {"below": BIG, "primes": 148933}
BIG_TASK_TIMEOUT = patient(900)  # seconds of counting on an idle core: minutes beside a CPU hog
# A lease of seconds, not the default 30 s, so that a dead worker is found quickly: renewed every third of it.
SHORT_LEASE = {"TASKS_WORKER_LEASE": str(patient(2))}


async def started(server, below: int) -> tuple[object, str]:
    """A socket on ws/tasks/ that has started count_primes(below) and been told its id (READY)."""
    ws = await open_socket(server, "ws/tasks/")
    await ws.send(f'{{"below": {below}}}')
    frame = await next_frame(ws)
    assert frame["status"] == "READY"
    return ws, frame["id"]


async def counting(ws, task_id: str) -> None:
    """The socket is told its task is RUNNING, then 5 %: a worker has it, with 95 % of the count to go."""
    assert await next_frame(ws, timeout=COMMAND) == {"id": task_id, "status": "RUNNING"}  # the worker's start-up
    assert await next_frame(ws) == {"id": task_id, "percent": 5}


async def frames_until(ws, task_id: str, status: str) -> list[dict]:
    """Every frame `ws` gets about the task up to the one saying `status` (each may take a whole count)."""
    frames = []
    while not frames or frames[-1].get("status") != status:
        frame = await next_frame(ws, timeout=COMMAND)
        frames += [frame] if frame.get("id") == task_id else []
    return frames


async def test_a_real_worker_reports_running_then_progress_to_100_percent_then_the_result(daphne, redis_url, db_worker):
    ws, task_id = await started(daphne(redis_url), 1000)  # in the task's group before any worker runs
    db_worker()
    frames = await frames_until(ws, task_id, "SUCCESSFUL")
    assert frames[0] == {"id": task_id, "status": "RUNNING"}
    assert [frame.get("percent") for frame in frames[1:-1]] == list(range(5, 101, 5))
    assert frames[-1] == {"id": task_id, "status": "SUCCESSFUL", "result": {"below": 1000, "primes": 168}}


@pytest.mark.timeout(BIG_TASK_TIMEOUT)
async def test_a_killed_workers_task_is_run_again_by_the_next_worker_once_its_lease_ends(daphne, redis_url, db_worker):
    ws, task_id = await started(daphne(redis_url), BIG)
    killed = db_worker(**SHORT_LEASE)
    await counting(ws, task_id)
    killed.send_signal(signal.SIGKILL)  # this worker's PID, not every db_worker on the machine (pkill -f)
    killed.wait(timeout=SERVER_STOP)
    lease = await sync_to_async(WorkerLease.objects.get)(pid=killed.pid)  # as its last renewal left it
    db_worker(**SHORT_LEASE)  # the next worker: its sweep finds the dead one's task once that lease ran out
    frames = await frames_until(ws, task_id, "SUCCESSFUL")
    assert [frame["status"] for frame in frames if "status" in frame] == ["READY", "RUNNING", "SUCCESSFUL"]
    assert frames[-1]["result"] == BIG_RESULT
    result = await sync_to_async(count_primes.get_result)(task_id)
    assert result.worker_ids[0] == lease.worker_id and result.attempts == 2
    assert result.last_attempted_at >= lease.expires_at  # taken back only once the dead worker's lease had run out


async def test_a_killed_workers_task_that_must_not_run_twice_is_failed_freeing_its_owner(daphne, redis_url, db_worker):
    at_most_once = {**SHORT_LEASE, "TASKS_MAX_ATTEMPTS": "1"}  # no task may run twice: a lost one is FAILED
    ws = await open_socket(daphne(redis_url), "ws/tasks/")
    ids = []
    for _ in range(3):  # the owner's whole budget: MAX_IN_FLIGHT
        await ws.send(f'{{"below": {BIG}}}')
        ids.append((await next_frame(ws))["id"])
    await ws.send('{"below": 10}')
    assert "you have 3 tasks running" in (await next_frame(ws))["error"]
    killed = db_worker(**at_most_once)
    await counting(ws, ids[0])  # its first task: the highest priority of the three
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=SERVER_STOP)
    db_worker(**at_most_once)  # it counts the owner's second task; its lease thread sweeps meanwhile
    frames = await frames_until(ws, ids[0], "FAILED")
    assert frames[-1] == {"id": ids[0], "status": "FAILED", "exception": "WorkerLost"}
    await ws.send('{"below": 10}')  # its place in the owner's budget is free again
    while (frame := await next_frame(ws, timeout=COMMAND)).get("id") in ids:
        pass
    assert frame["status"] == "READY"


@pytest.mark.timeout(BIG_TASK_TIMEOUT)
async def test_a_worker_asked_to_stop_mid_task_finishes_it_first(daphne, redis_url, db_worker):
    ws, task_id = await started(daphne(redis_url), BIG)
    worker = db_worker()
    await counting(ws, task_id)
    worker.send_signal(signal.SIGTERM)  # what Ctrl-C, systemd and docker stop send first
    frames = await frames_until(ws, task_id, "SUCCESSFUL")
    assert frames[-1] == {"id": task_id, "status": "SUCCESSFUL", "result": BIG_RESULT}
    assert [frame for frame in frames if "status" in frame] == frames[-1:]  # never READY again: it was not lost
    assert worker.wait(timeout=SERVER_STOP) == 0


@pytest.mark.timeout(BIG_TASK_TIMEOUT)
async def test_a_redis_restart_mid_task_costs_progress_messages_never_the_result(daphne, private_redis, db_worker):
    server = daphne(private_redis.url)
    ws, task_id = await started(server, BIG)
    worker = db_worker(private_redis.url)
    await counting(ws, task_id)
    private_redis.stop()
    private_redis.start()  # empty: every group, and the socket's place in the task's, is gone
    # A page that comes back watches the task by id, on the new Redis: it is told where the row stands.
    again = await open_socket(server, "ws/tasks/")
    await again.send(f'{{"watch": "{task_id}"}}')
    frames = [await next_frame(again)]
    while frames[-1].get("status") != "SUCCESSFUL":
        frames.append(await next_frame(again, timeout=COMMAND))
    assert frames[-1] == {"id": task_id, "status": "SUCCESSFUL", "result": BIG_RESULT}
    percents = [frame["percent"] for frame in frames if "percent" in frame]
    assert percents == sorted(set(percents))  # each at most once, in order; those sent while Redis was away: lost
    assert worker.poll() is None  # the layer's failures cost the worker's task nothing, nor the worker
    # The socket open through the restart is still open, and in no group: its place was in Redis. Never told.
    heard = []
    with contextlib.suppress(TimeoutError):
        while True:
            heard.append(await next_frame(ws, timeout=0.5))
    assert not [frame for frame in heard if "status" in frame]


@pytest.mark.browser
def test_the_pages_progress_bar_reaches_100_percent_and_the_result_is_shown(browser, daphne, redis_url, db_worker):
    from selenium.webdriver.common.by import By  # here: 0.1 s of imports that only this test needs

    server = daphne(redis_url)
    db_worker()
    browser.get(server.http_url + "/lessons/18/")
    below = browser.find_element(By.ID, "task-below")
    below.clear()
    below.send_keys("100000")
    browser.find_element(By.ID, "task-send").click()
    finished = "#tasks li.task[data-status=SUCCESSFUL]"
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, finished), timeout=COMMAND)  # the worker's start
    task = browser.find_element(By.CSS_SELECTOR, finished)
    assert task.find_element(By.CLASS_NAME, "task-status").text.endswith("RUNNING → SUCCESSFUL")  # each as it came
    assert task.find_element(By.TAG_NAME, "progress").get_attribute("value") == "100"  # moved by percent frames
    assert task.find_element(By.CLASS_NAME, "task-result").text == 'result: {"below":100000,"primes":9592}'
