"""Lesson 18 on real processes: a Daphne and a `manage.py db_worker` sharing Redis and the test database.

What a worker's death costs, measured: killed (SIGKILL) mid-task, the task's row stays RUNNING for ever
and no worker runs it again; stopped (SIGTERM), the worker finishes the task first. A Redis restarted
under a running task costs progress messages, never the result; and the page's progress bar, in Chromium.
"""

import contextlib
import signal

import pytest
from asgiref.sync import sync_to_async

from harness.patience import COMMAND, SERVER_STOP, patient
from tasks_demo.tasks import count_primes
from tests.helpers.clients import next_frame, open_socket, receives_nothing, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # rows written by other processes
BIG = 2_000_000  # seconds of counting: the first 5 % reported leaves at least 19 times as much to do
BIG_TASK_TIMEOUT = patient(900)  # seconds of counting on an idle core: minutes beside a CPU hog


async def started(server, below: int) -> tuple[object, str]:
    """A socket on ws/tasks/ that has started count_primes(below) and been told its id (READY)."""
    ws = await open_socket(server, "ws/tasks/")
    await ws.send(f'{{"below": {below}}}')
    frame = await next_frame(ws)
    assert frame["status"] == "READY"
    return ws, frame["id"]


async def test_a_real_worker_reports_progress_to_100_percent_and_the_page_gets_the_result(daphne, redis_url, db_worker):
    ws, task_id = await started(daphne(redis_url), 1000)  # in the task's group before any worker runs
    db_worker()
    frames = [await next_frame(ws, timeout=COMMAND)]  # the worker's start-up (Django, the layer) is in this wait
    while "status" not in frames[-1]:
        frames.append(await next_frame(ws))
    assert [frame.get("percent") for frame in frames[:-1]] == list(range(5, 101, 5))
    assert frames[-1] == {"id": task_id, "status": "SUCCESSFUL", "result": {"below": 1000, "primes": 168}}


async def test_a_worker_killed_mid_task_leaves_its_row_running_and_nothing_runs_it_again(daphne, redis_url, db_worker):
    server = daphne(redis_url)
    ws, task_id = await started(server, BIG)
    worker = db_worker()
    assert (await next_frame(ws, timeout=COMMAND))["percent"] == 5
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=SERVER_STOP)
    # A second worker takes new tasks, and never the dead one's: its row says RUNNING, as if it still ran.
    db_worker()
    other, other_id = await started(server, 10)
    while (await next_frame(other, timeout=COMMAND)).get("status") != "SUCCESSFUL":
        pass
    assert (await sync_to_async(count_primes.get_result)(task_id)).status == "RUNNING"
    # The page that comes back is told RUNNING, and then nothing: no progress, no outcome, ever.
    again = await open_socket(server, "ws/tasks/")
    await again.send(f'{{"watch": "{task_id}"}}')
    assert await next_frame(again) == {"id": task_id, "status": "RUNNING"}
    assert await receives_nothing(again)


@pytest.mark.timeout(BIG_TASK_TIMEOUT)
async def test_a_worker_asked_to_stop_mid_task_finishes_it_first(daphne, redis_url, db_worker):
    ws, task_id = await started(daphne(redis_url), BIG)
    worker = db_worker()
    assert (await next_frame(ws, timeout=COMMAND))["percent"] == 5
    worker.send_signal(signal.SIGTERM)  # what Ctrl-C, systemd and docker stop send first
    while "status" not in (frame := await next_frame(ws, timeout=COMMAND)):
        pass
    assert frame == {"id": task_id, "status": "SUCCESSFUL", "result": {"below": BIG, "primes": 148933}}
    assert worker.wait(timeout=SERVER_STOP) == 0


@pytest.mark.timeout(BIG_TASK_TIMEOUT)
async def test_a_redis_restart_mid_task_costs_progress_messages_never_the_result(daphne, private_redis, db_worker):
    server = daphne(private_redis.url)
    ws, task_id = await started(server, BIG)
    worker = db_worker(private_redis.url)
    assert (await next_frame(ws, timeout=COMMAND))["percent"] == 5
    private_redis.stop()
    private_redis.start()  # empty: every group, and the socket's place in the task's, is gone
    # A page that comes back watches the task by id, on the new Redis: it is told where the row stands.
    again = await open_socket(server, "ws/tasks/")
    await again.send(f'{{"watch": "{task_id}"}}')
    frames = [await next_frame(again)]
    while frames[-1].get("status") != "SUCCESSFUL":
        frames.append(await next_frame(again, timeout=COMMAND))
    assert frames[-1] == {"id": task_id, "status": "SUCCESSFUL", "result": {"below": BIG, "primes": 148933}}
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
    assert task.find_element(By.TAG_NAME, "progress").get_attribute("value") == "100"  # moved by percent frames
    assert task.find_element(By.CLASS_NAME, "task-result").text == 'result: {"below":100000,"primes":9592}'
