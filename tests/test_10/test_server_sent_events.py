"""Lesson 10: server-sent events (the ticker; the liveblog's GET /liveblog/events/), and what a
failing channel layer does to a waiting request or an open stream: 503 or a clean end, never a 500."""

import asyncio
import json

import pytest
from channels.db import aclose_old_connections, database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator
from redis.exceptions import RedisError

from db_demo import events as liveblog_stream
from db_demo.models import Post
from db_demo.signals import LIVEBLOG_GROUP
from harness.patience import FRAME
from http_demo import ticker
from http_demo.ticker import TickerConsumer
from lessons.asgi import application
from tests.helpers.clients import HOST, browser_headers, group_members
from tests.helpers.http_streams import body_parts, open_stream, parse_events, tasks_named, until

TITLE, BODY = "Live from lesson 10", "an event, after COMMIT"
TWINS = pytest.mark.parametrize("stream", [liveblog_stream, ticker], ids=["liveblog", "ticker"])


def events_request(last_event_id: bytes | None = None) -> HttpCommunicator:
    headers = HOST if last_event_id is None else [*HOST, (b"last-event-id", last_event_id)]
    return HttpCommunicator(application, "GET", "/liveblog/events/", headers=headers)


def post_event(post: Post) -> dict:
    return {"id": str(post.pk), "event": "post", "data": json.dumps(post.as_frame())}


def save_posts(*titles: str) -> list[Post]:
    return [Post.objects.create(title=title, body=BODY) for title in titles]


async def redis_is_down(*args, **kwargs):
    raise RedisError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


async def test_the_ticker_streams_numbered_tick_events_as_text_event_stream():
    communicator = HttpCommunicator(TickerConsumer.as_asgi(), "GET", "/http/ticker/?interval=0.05")
    start = await open_stream(communicator)
    events = parse_events(await body_parts(communicator, 2))
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert (start["status"], dict(start["headers"])[b"content-type"]) == (200, b"text/event-stream")
    assert events == [{"id": str(n), "event": "tick", "data": json.dumps({"tick": n})} for n in (1, 2)]


async def test_a_reconnecting_ticker_resumes_after_the_last_event_id_it_sends():
    headers = [(b"last-event-id", b"41")]
    communicator = HttpCommunicator(TickerConsumer.as_asgi(), "GET", "/http/ticker/?interval=0.05", headers=headers)
    await open_stream(communicator)
    events = parse_events(await body_parts(communicator, 1))
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert events[0]["id"] == "42"


async def test_a_client_leaving_the_ticker_ends_the_consumer_and_its_push_task():
    communicator = HttpCommunicator(TickerConsumer.as_asgi(), "GET", "/http/ticker/?interval=0.05")
    await open_stream(communicator)
    assert len(tasks_named("TickerConsumer.push")) == 1
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert tasks_named("TickerConsumer.push") == []


@pytest.mark.django_db(transaction=True)
async def test_a_post_saved_after_the_request_arrives_as_an_event_with_its_id():
    stream = events_request()
    start = await open_stream(stream)
    [post] = await database_sync_to_async(save_posts)(TITLE)
    events = parse_events(await body_parts(stream, 1))
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    headers = dict(start["headers"])
    assert (start["status"], headers[b"content-type"], headers[b"cache-control"]) == (
        200,
        b"text/event-stream",
        b"no-cache",
    )
    assert b"access-control-allow-origin" not in headers  # another site's page may not read it
    assert events == [post_event(post)]


@pytest.mark.django_db(transaction=True)
async def test_last_event_id_replays_later_posts_oldest_first_then_live_news_once_each():
    posts = await database_sync_to_async(save_posts)("one", "two", "three")
    stream = events_request(str(posts[0].pk).encode())
    await open_stream(stream)
    replayed = parse_events(await body_parts(stream, 2))
    expected_replay = [post_event(posts[1]), post_event(posts[2])]
    # A post the replay already sent, delivered live as well: it must not come twice.
    await get_channel_layer().group_send("liveblog", {"type": "post.published", "post": posts[2].as_frame()})
    [live] = await database_sync_to_async(save_posts)("four")
    posts[1].title = "two, updated"
    await database_sync_to_async(posts[1].save)()  # an update of a replayed post is news
    events = parse_events(await body_parts(stream, 2))
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    assert replayed == expected_replay
    assert events == [post_event(live), post_event(posts[1])]


@TWINS
@pytest.mark.parametrize("value", [b"", b"abc", b"-1", b"1.5", b"1e3", b" 7", b"9" * 40, "١".encode()])
def test_a_last_event_id_that_is_not_an_id_reads_as_none(stream, value):
    assert stream.last_event_id({"headers": [(b"last-event-id", value)]}) is None


@TWINS
def test_both_streams_write_an_event_as_id_name_and_json_data(stream):
    event = stream.sse_event(7, "post", {"id": 7, "title": "é"})
    assert event == b'id: 7\nevent: post\ndata: {"id": 7, "title": "\\u00e9"}\n\n'


@pytest.mark.parametrize("path", ["/liveblog/events/", "/http/ticker/"])
async def test_both_streams_open_with_the_reconnect_delay_for_event_source(path):
    communicator = HttpCommunicator(application, "GET", path, headers=HOST)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output()
    first = await communicator.receive_output()
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert dict(start["headers"])[b"content-type"] == b"text/event-stream"
    assert (first["body"], first["more_body"]) == (b"retry: 2000\n\n", True)


@pytest.mark.django_db(transaction=True)
async def test_a_last_event_id_that_is_not_an_id_is_treated_as_absent_not_as_an_error():
    await database_sync_to_async(save_posts)("saved before")
    stream = events_request(b"not-an-id")
    start = await open_stream(stream)
    await until(lambda: tasks_named("LiveblogEventsConsumer.push"))  # started once any replay was sent
    assert stream.output_queue.empty()  # no replay
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    assert start["status"] == 200


@pytest.mark.django_db(transaction=True)
async def test_a_client_leaving_the_stream_ends_the_consumer_push_task_and_membership():
    stream = events_request()
    await open_stream(stream)
    assert len(tasks_named("LiveblogEventsConsumer.push")) == 1
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    assert tasks_named("LiveblogEventsConsumer.push") == []
    assert get_channel_layer().groups.get("liveblog", {}) == {}


@pytest.mark.django_db(transaction=True)
async def test_a_replay_longer_than_one_page_comes_whole_and_in_order():
    # Saved in one INSERT, never announced: no stream is open yet, and 101 on_commit sends would only cost time.
    posts = await Post.objects.abulk_create([Post(title=f"post {n}", body=BODY) for n in range(101)])
    stream = events_request(b"0")
    await open_stream(stream)
    events = parse_events(await body_parts(stream, 101))  # a page is 100
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    assert [event["id"] for event in events] == [str(post.pk) for post in posts]


@pytest.mark.django_db(transaction=True)  # a logged-in session, for POST /http/publish/
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/http/poll/", b""), ("POST", "/http/publish/", b"hello"), ("GET", "/liveblog/events/", b"")],
)
async def test_a_request_that_needs_a_failing_channel_layer_is_answered_503(
    monkeypatch, ada_session_key, method, path, body
):
    layer = get_channel_layer()
    monkeypatch.setattr(layer, "group_add", redis_is_down)
    monkeypatch.setattr(layer, "group_send", redis_is_down)
    headers = [*HOST, *browser_headers(ada_session_key)]  # as the course page sends it
    communicator = HttpCommunicator(application, method, path, body=body, headers=headers)
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()
    await aclose_old_connections()  # the session's connection on the sync thread (tests/test_10/test_long_poll.py)
    assert response["status"] == 503


async def test_a_layer_failure_mid_stream_ends_it_cleanly_so_event_source_reconnects(monkeypatch):
    streaming = asyncio.Event()

    async def fails_once_streaming(channel):  # the consumer listens from its start: fail only once it streams
        await streaming.wait()
        await redis_is_down()

    monkeypatch.setattr(get_channel_layer(), "receive", fails_once_streaming)
    stream = events_request()
    start = await open_stream(stream)
    streaming.set()
    end = await stream.receive_output()
    await stream.wait()  # ended without an exception: no 500, no traceback
    assert start["status"] == 200
    assert (end["type"], end.get("more_body", False)) == ("http.response.body", False)
    assert tasks_named("LiveblogEventsConsumer.push") == []
    assert await group_members(LIVEBLOG_GROUP) == set()  # it left the group: no post is queued for it any more
