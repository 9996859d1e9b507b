"""Lesson 06 on real processes: `announce` and `runworker` reach a Daphne through Redis, and the page's form."""

import asyncio
import json
import subprocess
import sys

import pytest

from harness.patience import COMMAND, SERVER_STOP
from harness.servers import REPO_DIR, WarmDaphnes, daphne_env
from layers_demo.announce import ANNOUNCER
from layers_demo.primes import WORKER_CHANNEL
from tests.helpers.clients import chat_socket, next_frame, open_socket, wait_until

committed_db = pytest.mark.django_db(transaction=True)  # sessions are read in another thread (lesson 07)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["core", "pubsub"])
async def test_the_announce_command_reaches_a_server_process_through_redis(daphne, redis_url, redis_prefix, kind):
    from django.db import connection

    ws = await chat_socket(daphne(redis_url, kind), "lobby")
    env = daphne_env(connection.settings_dict, redis_url, redis_prefix, kind)
    command = [sys.executable, "manage.py", "announce", "lobby", "Hello from a terminal"]
    # In a thread: the socket's client answers Daphne's pings on this loop while the command starts up.
    done = await asyncio.to_thread(WarmDaphnes.run, command, REPO_DIR, env, COMMAND)
    assert done.returncode == 0, done.stderr
    assert await next_frame(ws) == {"message": "Hello from a terminal", "sender": ANNOUNCER}
    await ws.close()


@pytest.mark.slow
async def test_a_runworker_process_answers_a_socket_on_the_server_through_redis(daphne, redis_url, redis_prefix):
    from django.db import connection

    server = daphne(redis_url)
    env = daphne_env(connection.settings_dict, redis_url, redis_prefix)
    worker = subprocess.Popen([sys.executable, "manage.py", "runworker", WORKER_CHANNEL], cwd=REPO_DIR, env=env)
    try:
        ws = await open_socket(server, "ws/layers/primes/")
        await ws.send(json.dumps({"below": 1000}))
        assert await next_frame(ws) == {"queued": 1000}
        # The worker answers once it is running: its start-up (Django, the layer) is in this wait.
        assert await next_frame(ws, timeout=COMMAND) == {"below": 1000, "primes": 168}
        await ws.close()
    finally:
        worker.terminate()
        worker.wait(timeout=SERVER_STOP)


@pytest.mark.browser
@committed_db
def test_the_lesson_06_form_announces_to_the_live_client_in_a_real_browser(browser, course_server, staff_session_key):
    from selenium.webdriver.common.by import By  # here: 0.1 s of imports that only this test needs

    browser.get(course_server.http_url + "/accounts/login/")  # a page of the site, to set its cookie on
    browser.add_cookie({"name": "sessionid", "value": staff_session_key})
    browser.get(course_server.http_url + "/lessons/06/")
    browser.find_element(By.ID, "connect").click()
    wait_until(lambda: browser.find_element(By.ID, "status").text == "open")
    text = browser.find_element(By.ID, "announce-text")
    text.clear()
    text.send_keys("Hello from the form")
    browser.find_element(By.ID, "announce-send").click()
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "li.frame.in .data"))
    frame = json.loads(browser.find_element(By.CSS_SELECTOR, "li.frame.in .data").text)
    assert frame == {"message": "Hello from the form", "sender": ANNOUNCER}
    assert browser.find_element(By.ID, "announce-result").text == "announced to room lobby"
