"""Lesson 10: long-poll. A GET that waits for a channel-layer message or a timeout; POST
/http/publish/ wakes every waiting poll."""

import json

import pytest
from channels.db import aclose_old_connections
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import HttpCommunicator

from harness.patience import FRAME
from http_demo.consumers import BODY_LIMIT
from http_demo.generic_consumers import NO_CSRF, NOT_LOGGED_IN
from http_demo.longpoll import POLL_GROUP, LongPollConsumer
from http_demo.routing import http_urlpatterns
from http_demo.ticker import TickerConsumer
from tests.helpers.clients import HOST, ORIGIN_URL, browser_headers
from tests.helpers.http_streams import tasks_named, until

# http_demo's own routes: POST /http/publish/ behind AuthMiddlewareStack, which reads the session.
HTTP_DEMO = URLRouter(http_urlpatterns)
committed_db = pytest.mark.django_db(transaction=True)  # sessions are read in another thread (lesson 07)


async def publish(method: str, body: bytes, headers: list) -> dict:
    """/http/publish/'s response to a request as a course page's fetch() sends it (this site's Host and Origin)."""
    origin = [(b"origin", ORIGIN_URL.encode())]
    communicator = HttpCommunicator(HTTP_DEMO, method, "/http/publish/", body=body, headers=HOST + origin + headers)
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()
    # AuthMiddlewareStack read the session on the one sync thread and left that connection open:
    # close it while this test may use the database (a later test's first hop would be refused).
    await aclose_old_connections()
    return response


async def reached_no_poll(listener: str) -> bool:
    """True when nothing was published to the poll group before now (publish() has seen the consumer end)."""
    layer = get_channel_layer()
    # A marker sent now arrives after anything published before it: a refused publish sent nothing if it comes first.
    await layer.group_send(POLL_GROUP, {"type": "marker"})
    return await layer.receive(listener) == {"type": "marker"}


@committed_db
async def test_a_published_message_answers_every_waiting_poll(ada_session_key):
    polls = [HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=5") for _ in range(2)]
    for poll in polls:
        await poll.send_input({"type": "http.request", "body": b""})
    # Waiting, joined: both are in the group, and neither has been answered yet.
    await until(lambda: len(get_channel_layer().groups.get(POLL_GROUP, {})) == 2)
    assert all(poll.output_queue.empty() for poll in polls)
    published = await publish("POST", "héllo".encode(), browser_headers(ada_session_key))
    answers = [await poll.get_response(timeout=FRAME) for poll in polls]
    for poll in polls:
        await poll.send_input({"type": "http.disconnect"})
        await poll.wait()
    assert published["status"] == 202
    assert [(answer["status"], json.loads(answer["body"])) for answer in answers] == [(200, {"message": "héllo"})] * 2


# A form body Django itself cannot parse, sent with a valid CSRF pair: its views answer 400, and so does publish.
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (b"multipart/form-data", b"no boundary"),
        (b"application/x-www-form-urlencoded", b"a=1&" * 1001),
    ],
    ids=["multipart-without-boundary", "too-many-fields"],
)
async def test_a_form_body_django_cannot_parse_is_a_400_never_a_500(content_type, body):
    headers = [*HOST, (b"content-type", content_type), *browser_headers()]
    communicator = HttpCommunicator(HTTP_DEMO, "POST", "/http/publish/", body=body, headers=headers)
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()
    assert response["status"] == 400


async def test_a_poll_that_hears_nothing_is_answered_204_after_its_timeout():
    poll = HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=0.05")
    response = await poll.get_response(timeout=FRAME)
    await poll.send_input({"type": "http.disconnect"})
    await poll.wait()
    assert (response["status"], response["body"]) == (204, b"")


async def test_a_client_leaving_a_poll_ends_the_consumer_its_timer_and_its_membership():
    poll = HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=30")
    await poll.send_input({"type": "http.request", "body": b""})
    await until(lambda: POLL_GROUP in get_channel_layer().groups)  # joined: its timer starts with no await between
    assert len(tasks_named("LongPollConsumer.time_out")) == 1
    await poll.send_input({"type": "http.disconnect"})
    await poll.wait()
    assert tasks_named("LongPollConsumer.time_out") == []
    assert get_channel_layer().groups.get(POLL_GROUP, {}) == {}


@pytest.mark.parametrize(
    ("method", "body", "status", "error"),
    [
        ("POST", b"", 400, "1 to 4096 characters, got 0"),
        ("POST", "é".encode() * 4097, 400, "got 4097"),
        ("POST", b"\xff\xfe", 400, "UTF-8"),
        ("POST", b"x" * (BODY_LIMIT + 1), 413, "at most"),
        ("GET", b"", 405, "use POST"),
    ],
    ids=["empty", "too-long", "not-utf8", "over-the-body-limit", "get"],
)
@committed_db
async def test_publishing_bad_input_is_refused_with_a_4xx_and_reaches_no_poll(
    ada_session_key, method, body, status, error
):
    layer = get_channel_layer()
    listener = await layer.new_channel()  # stands in for a waiting poll
    await layer.group_add(POLL_GROUP, listener)
    response = await publish(method, body, browser_headers(ada_session_key))
    assert response["status"] == status
    assert error in json.loads(response["body"])["error"]
    assert await reached_no_poll(listener)
    await layer.group_discard(POLL_GROUP, listener)


# What another site's page, a script without the page's token, or a visitor who never logged in can send.
@committed_db
@pytest.mark.parametrize(
    ("logged_in", "csrf", "extra", "error"),
    [
        (True, False, [], NO_CSRF),
        (True, True, [(b"origin", b"http://evil.example")], NO_CSRF),
        (False, True, [], NOT_LOGGED_IN),
        (False, False, [], NO_CSRF),
    ],
    ids=["no-csrf-token", "foreign-origin", "anonymous", "anonymous-no-csrf-token"],
)
async def test_publishing_needs_a_csrf_token_and_a_logged_in_user(ada_session_key, logged_in, csrf, extra, error):
    layer = get_channel_layer()
    listener = await layer.new_channel()  # stands in for a waiting poll
    await layer.group_add(POLL_GROUP, listener)
    headers = [*browser_headers(ada_session_key if logged_in else None, csrf), *extra]
    response = await publish("POST", b"hello", headers)
    assert (response["status"], json.loads(response["body"])) == (403, {"error": error})
    assert await reached_no_poll(listener)
    await layer.group_discard(POLL_GROUP, listener)


@pytest.mark.parametrize("consumer", [LongPollConsumer, TickerConsumer])
@pytest.mark.parametrize("value", ["", "nan", "inf", "-1", "0.01", "61", "abc"])
async def test_a_bad_timeout_or_interval_is_answered_400(consumer, value):
    query = "timeout" if consumer is LongPollConsumer else "interval"
    communicator = HttpCommunicator(consumer.as_asgi(), "GET", f"/http/x/?{query}={value}")
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 400
    assert "from 0.05 to 60" in json.loads(response["body"])["error"]
