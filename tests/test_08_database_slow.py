"""Lesson 08 on real processes: the post command in a third process, the admin in a real Chromium."""

import asyncio
import json
import sys

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.db import connection

from db_demo.models import Post
from harness.patience import COMMAND, CONDITION, FRAME
from harness.servers import REPO_DIR, WarmDaphnes, daphne_env

pytestmark = pytest.mark.slow
TITLE, BODY = "Live from lesson 08", "saved, committed, sent"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_a_post_saved_here_reaches_a_liveblog_socket_on_another_server(layer, redis_url, daphne):
    from websockets.asyncio.client import connect  # a real client, for a real server

    server = daphne(redis_url)
    async with connect(server.ws_url("ws/liveblog/"), origin=server.http_url) as socket:
        post = await database_sync_to_async(Post.objects.create)(title=TITLE, body=BODY)
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=FRAME))
    assert frame == {"post": {"id": post.pk, "title": TITLE, "body": BODY}}


@pytest.mark.django_db(transaction=True)
async def test_the_post_command_in_a_third_process_reaches_a_liveblog_socket(redis_url, redis_prefix, daphne):
    from websockets.asyncio.client import connect

    server = daphne(redis_url)
    command = [sys.executable, "manage.py", "post", TITLE, BODY]
    env = daphne_env(connection.settings_dict, redis_url, redis_prefix)
    async with connect(server.ws_url("ws/liveblog/"), origin=server.http_url) as socket:
        result = await asyncio.to_thread(WarmDaphnes.run, command, REPO_DIR, env, COMMAND)
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=FRAME))
    post = await database_sync_to_async(Post.objects.get)(title=TITLE)
    assert result.returncode == 0, result.stderr
    assert frame == {"post": {"id": post.pk, "title": TITLE, "body": BODY}}


@pytest.mark.browser
def test_a_post_saved_in_the_admin_appears_live_in_another_window(browser, course_server, transactional_db):
    # Imported here: only this test needs Selenium, and it is slow to import.
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    get_user_model().objects.create_superuser("editor", "editor@example.com", "lesson-08-password")
    wait = WebDriverWait(browser, CONDITION)
    browser.get(course_server.http_url + "/lessons/08/")
    Select(browser.find_element(By.ID, "route")).select_by_value("ws/liveblog/")
    browser.find_element(By.ID, "connect").click()
    wait.until(lambda driver: driver.find_element(By.ID, "status").text == "open")
    lesson_window = browser.current_window_handle

    browser.find_element(By.ID, "admin-add-post").click()  # the panel's link opens a new window
    browser.switch_to.window(next(handle for handle in browser.window_handles if handle != lesson_window))
    wait.until(lambda driver: driver.find_elements(By.ID, "id_username"))[0].send_keys("editor")
    browser.find_element(By.ID, "id_password").send_keys("lesson-08-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait.until(lambda driver: driver.find_elements(By.ID, "id_title"))[0].send_keys(TITLE)
    browser.find_element(By.ID, "id_body").send_keys(BODY)
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda driver: "/admin/db_demo/post/add/" not in driver.current_url)

    browser.switch_to.window(lesson_window)
    received = wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#log li.frame.in .data"))
    post = Post.objects.get(title=TITLE)
    assert json.loads(received[0].text) == {"post": {"id": post.pk, "title": TITLE, "body": BODY}}
