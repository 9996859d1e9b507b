"""Lesson 10 on real servers: open streams block nobody, events cross processes, a leaving client ends its consumer.

A tiny HTTP/1.0 client reads the streams: without chunked encoding the body is
the event stream itself, byte for byte.
"""

import asyncio
import json
import sys
import time

import pytest
import redis
from channels.db import database_sync_to_async

from db_demo.models import Post
from harness.patience import CONDITION, FRAME
from harness.servers import ServerProcess, daphne_env, free_port
from tests.helpers.crash_asgi import STREAM_IN_HANDLE_PATH

TITLE, BODY = "Live from lesson 10", "across processes"


async def open_stream(server, path: str, headers: str = "") -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """GET `path` over HTTP/1.0; return the connection and the response head once it has arrived."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    return reader, writer, head


async def next_event(reader: asyncio.StreamReader, timeout: float = FRAME) -> dict:
    """The next event with data (comments and retry skipped), as a dict of its fields."""
    while True:
        block = (await asyncio.wait_for(reader.readuntil(b"\n\n"), timeout)).decode()
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "data" in fields:
            return fields


async def get_status(server, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    status = int((await asyncio.wait_for(reader.readline(), 10)).split()[1])
    writer.close()
    return status


def group_size(redis_url: str, prefix: str, group: str = "liveblog") -> int:
    """How many channels the Redis core layer holds in `group` (channels_redis keeps a sorted set)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return client.zcard(f"{prefix}:group:{group}")
    finally:
        client.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_thirty_streams_block_no_request_or_socket_and_each_hears_a_post_via_redis(layer, redis_url, daphne):
    from websockets.asyncio.client import connect  # a real client, for a real server

    server = daphne(redis_url)
    streams = [await open_stream(server, "/liveblog/events/") for _ in range(30)]
    started = time.monotonic()
    page_status = await get_status(server, "/lessons/10/")
    async with connect(server.ws_url("ws/async/echo/"), origin=server.http_url) as socket:
        await socket.send("still served")
        echoed = await asyncio.wait_for(socket.recv(), 10)
    served_in = time.monotonic() - started
    # Saved in this process: the event reaches the server's streams through Redis.
    post = await database_sync_to_async(Post.objects.create)(title=TITLE, body=BODY)
    events = [await next_event(reader) for reader, _, _ in streams]
    for _, writer, _ in streams:
        writer.close()
    assert all(head.split(b" ", 2)[1] == b"200" for _, _, head in streams)
    assert (page_status, echoed) == (200, "still served")
    assert served_in < 10  # generous: a server held up by the streams would not answer at all
    assert events == [{"id": str(post.pk), "event": "post", "data": json.dumps(post.as_frame())}] * 30


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
async def test_a_client_leaving_mid_stream_ends_its_consumer_on_a_real_server(redis_url, redis_prefix, daphne):
    server = daphne(redis_url)
    reader, writer, _ = await open_stream(server, "/liveblog/events/")
    await reader.readuntil(b"\n\n")  # the retry line: the consumer has joined the group
    joined = group_size(redis_url, redis_prefix)
    writer.close()  # mid-stream, as a closed browser tab does
    deadline = time.monotonic() + CONDITION
    while group_size(redis_url, redis_prefix) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert (joined, group_size(redis_url, redis_prefix)) == (1, 0)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
async def test_daphne_kills_a_stream_looping_in_handle_after_its_client_left_never_ours():
    from django.db import connection

    # The kill comes application_close_timeout seconds after the client left: 10 by default, 1 here.
    port = free_port()
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    argv += ["--application-close-timeout", "1", "tests.helpers.crash_asgi:application"]
    server = ServerProcess("daphne tests.helpers.crash_asgi", argv, daphne_env(connection.settings_dict), port)
    try:
        for path in (f"/{STREAM_IN_HANDLE_PATH}", "/http/ticker/?interval=0.1", "/liveblog/events/"):
            reader, writer, _ = await open_stream(server, path)
            await reader.readuntil(b"\n\n")  # streaming
            writer.close()
        deadline = time.monotonic() + CONDITION
        while "took too long to shut down" not in server.log() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # time enough for a second or third kill
        killed = [line for line in server.log().splitlines() if "took too long to shut down" in line]
    finally:
        server.stop()
    assert len(killed) == 1
    assert f"uri=/{STREAM_IN_HANDLE_PATH}" in killed[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
async def test_a_real_server_replays_posts_after_last_event_id_before_the_live_ones(daphne):
    posts = await database_sync_to_async(lambda: [Post.objects.create(title=t, body=BODY) for t in "abc"])()
    server = daphne()
    reader, writer, _ = await open_stream(server, "/liveblog/events/", f"Last-Event-ID: {posts[0].pk}\r\n")
    replayed = [await next_event(reader) for _ in range(2)]
    writer.close()
    assert [event["id"] for event in replayed] == [str(posts[1].pk), str(posts[2].pk)]


@pytest.mark.slow
async def test_daphne_hands_a_body_over_in_8_kib_parts_and_chunks_a_stream_by_itself(course_server):
    reader, writer = await asyncio.open_connection("127.0.0.1", course_server.port)
    writer.write(b"POST /http/raw/ HTTP/1.0\r\nContent-Length: 20000\r\n\r\n" + b"x" * 20000)
    info = json.loads((await asyncio.wait_for(reader.read(), 10)).split(b"\r\n\r\n", 1)[1])
    writer.close()
    reader, writer = await asyncio.open_connection("127.0.0.1", course_server.port)
    writer.write(b"GET /http/ticker/?interval=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).lower()
    writer.close()
    assert (info["chunks"], info["bytes"]) == (3, 20000)
    assert b"transfer-encoding: chunked" in head  # no Content-Length: the server chunks it


# --- the lesson page's EventSource client, in Chromium ------------------------


@pytest.mark.browser
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
def test_the_event_source_reconnects_by_itself_and_gets_what_was_saved_meanwhile(
    layer, redis_url, redis_prefix, daphne, browser, transactional_db
):
    from django.db import connection

    from tests.helpers.pages import LessonPage

    server = daphne(redis_url)
    page = LessonPage(browser, f"{server.http_url}/lessons/10/", timeout=CONDITION)
    page.choose_route("liveblog/events/")
    page.connect()
    first = Post.objects.create(title="before the restart", body=BODY)
    page.wait_for_received("before the restart")
    server.stop()
    missed = Post.objects.create(title="while the server was down", body=BODY)
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(server.port), "lessons.asgi:application"]
    env = daphne_env(connection.settings_dict, redis_url, redis_prefix)
    restarted = ServerProcess("daphne, restarted", argv, env, server.port)  # the same address the page knows
    try:
        received = page.wait_for_received("while the server was down")
    finally:
        restarted.stop()
    assert [json.loads(data) for data in received] == [first.as_frame(), missed.as_frame()]


@pytest.mark.browser
def test_a_seventh_stream_and_a_request_wait_for_one_of_six_connections_per_host(browser, course_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, CONDITION)
    browser.get(f"{course_server.http_url}/lessons/10/")
    browser.find_element(By.ID, "open-seven").click()

    def states(_=None) -> list[str]:
        return [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#streams li.stream")]

    wait.until(lambda _: sum(state.startswith("open, tick") for state in states()) == 6)
    browser.find_element(By.ID, "try-request").click()
    time.sleep(1)  # the six have ticked again meanwhile; the seventh and the request still wait
    waiting = (states().count("connecting"), browser.find_element(By.ID, "request-state").text)
    browser.find_element(By.ID, "close-streams").click()
    wait.until(lambda _: browser.find_element(By.ID, "request-state").text == "answered 200")
    assert waiting == (1, "waiting for a free connection")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lesson_page_publishes_with_its_csrf_token_once_logged_in(browser, course_server, ada_session_key):
    from selenium.webdriver.common.by import By

    from tests.helpers.pages import LessonPage

    def publish_from_the_page() -> list[str]:
        page = LessonPage(browser, f"{course_server.http_url}/lessons/10/")
        page.choose_route("http/publish/")
        browser.find_element(By.ID, "connect").click()  # "Send request": one fetch() with the message box
        return page.wait_for_received('"')

    logged_out = publish_from_the_page()
    browser.add_cookie({"name": "sessionid", "value": ada_session_key})  # as if ada had logged in (lesson 07)
    logged_in = publish_from_the_page()
    assert [json.loads(data) for data in logged_out + logged_in] == [
        {"error": "publishing needs a logged-in user: log in at /accounts/login/"},
        {"published": "hello, pollers"},
    ]
