"""Lesson 12 on real servers: a client that keeps reconnecting with ?since= misses nothing; so does the page."""

import asyncio
import json
import sys

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from db_demo.models import Post
from harness.patience import CONDITION
from harness.servers import ServerProcess, daphne_env

BODY = "replayed by id"


def save_post(title: str) -> int:
    return Post.objects.create(title=title, body=BODY).pk


async def read_for(socket, seconds: float) -> list[int]:
    """The ids of the posts that arrive within `seconds`."""
    ids = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                ids.append(json.loads(await socket.recv())["post"]["id"])
    except TimeoutError:
        return ids


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_a_client_reconnecting_with_since_while_posts_are_saved_gets_each_once(layer, redis_url, daphne):
    server = daphne(redis_url)

    async def publish() -> list[int]:
        saved = []
        for n in range(40):
            saved.append(await database_sync_to_async(save_post)(f"post {n}"))
            await asyncio.sleep(0.01)
        return saved

    publishing = asyncio.create_task(publish())
    received: list[int] = []
    reconnects = 0
    while not publishing.done() or reconnects < 2:
        since = received[-1] if received else 0
        async with connect(server.ws_url(f"ws/liveblog/?since={since}"), origin=server.http_url) as socket:
            received += await read_for(socket, 0.1)  # then drop the socket, posts keep coming
        reconnects += 1
    async with connect(server.ws_url(f"ws/liveblog/?since={received[-1]}"), origin=server.http_url) as socket:
        received += await read_for(socket, 0.5)
    assert reconnects >= 2
    assert received == await publishing  # every post, once each, in order


@pytest.mark.slow
@pytest.mark.parametrize("since", ["", "-1", "1e3", "%FF%00", "9" * 40, "0&since=1"])
async def test_a_real_server_closes_a_bad_since_with_4400_never_a_500(course_server, since):
    log_offset = len(course_server.log())  # the server is shared: only this test's part of its log
    async with connect(course_server.ws_url(f"ws/liveblog/?since={since}"), origin=course_server.http_url) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
    assert closed.value.rcvd.code == 4400
    assert "Traceback" not in course_server.log()[log_offset:]


# --- the lesson page's reconnecting WebSocket client, in Chromium -------------


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
def test_the_page_reconnects_with_since_and_shows_each_post_from_the_outage_once(
    layer, redis_url, redis_prefix, daphne, browser, transactional_db
):
    from django.db import connection
    from selenium.webdriver.common.by import By

    from tests.helpers.pages import LessonPage

    before = Post.objects.create(title="saved before the page opened", body=BODY)
    server = daphne(redis_url)
    page = LessonPage(browser, f"{server.http_url}/lessons/12/", timeout=CONDITION)
    page.choose_route("ws/liveblog/?since=0")
    browser.find_element(By.ID, "reconnect").click()
    page.connect()
    live = Post.objects.create(title="saved while the page listens", body=BODY)
    page.wait_for_received("saved while the page listens")
    server.stop()
    missed = Post.objects.create(title="saved while the server was down", body=BODY)
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(server.port), "lessons.asgi:application"]
    env = daphne_env(connection.settings_dict, redis_url, redis_prefix)
    restarted = ServerProcess("daphne, restarted", argv, env, server.port)  # the address the page knows
    try:
        received = page.wait_for_received("saved while the server was down")
        log = browser.find_element(By.ID, "log").text
    finally:
        restarted.stop()
    assert [json.loads(data)["post"] for data in received] == [p.as_frame() for p in (before, live, missed)]
    assert f"liveblog/?since={live.pk}" in log  # it asked for what it missed, and nothing else


# --- ids as a cursor: PostgreSQL can commit them out of order -----------------


@pytest.mark.slow
def test_on_postgresql_a_lower_id_can_commit_later_so_since_alone_skips_it():
    import os
    import uuid

    import psycopg

    from tests.helpers import require

    url = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    try:
        first, second = psycopg.connect(url, connect_timeout=3), psycopg.connect(url, connect_timeout=3)
    except psycopg.Error as error:
        require(False, f"no PostgreSQL at {url} ({error}); `sudo apt-get install postgresql` or set POSTGRES_URL")
    table = f"posts_{uuid.uuid4().hex[:8]}"
    try:
        first.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, title text)")
        first.commit()
        slow = first.execute(f"INSERT INTO {table} (title) VALUES ('slow') RETURNING id").fetchone()[0]
        fast = second.execute(f"INSERT INTO {table} (title) VALUES ('fast') RETURNING id").fetchone()[0]
        second.commit()  # the higher id is visible first: a client sees it live and remembers it
        first.commit()
        replay = second.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [fast]).fetchall()
    finally:
        second.close()  # its open transaction holds a lock that DROP TABLE would wait for
        first.rollback()
        first.execute(f"DROP TABLE IF EXISTS {table}")
        first.commit()
        first.close()
    assert slow < fast
    assert replay == []  # ?since=<fast> never brings back `slow`, though it was committed after
