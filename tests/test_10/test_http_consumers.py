"""Lesson 10: the raw HTTP events, AsyncHttpConsumer, the root router's http branch, long-poll.

Server-sent events are in tests/test_10/test_server_sent_events.py."""

import asyncio
import json

import pytest
from channels.generic.http import AsyncHttpConsumer
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import HttpCommunicator
from django.urls import re_path

from harness.patience import FRAME
from http_demo.consumers import BODY_LIMIT, RequestInfoConsumer
from http_demo.generic_consumers import GenericRequestInfoConsumer
from lessons.asgi import application, django_asgi_app
from lessons.routing import http_urlpatterns
from tests.helpers.clients import HOST
from tests.helpers.http_streams import body_parts, open_stream

# --- the raw events, then AsyncHttpConsumer --------------------------------


async def test_the_raw_consumer_hears_every_body_part_and_answers_start_then_body():
    communicator = HttpCommunicator(RequestInfoConsumer.as_asgi(), "POST", "/http/raw/")
    for part, more in ((b"one,", True), (b"two,", True), (b"three", False)):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": more})
    sent = [await communicator.receive_output() for _ in range(3)]
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()  # StopConsumer: the instance has ended
    assert [(event["type"], event.get("more_body", False)) for event in sent] == [
        ("http.response.start", False),
        ("http.response.body", True),
        ("http.response.body", False),
    ]
    assert sent[0]["status"] == 200
    body = json.loads(sent[1]["body"] + sent[2]["body"])
    assert body == {"method": "POST", "path": "/http/raw/", "chunks": 3, "bytes": 13}


async def test_the_raw_consumer_answers_413_once_as_soon_as_the_body_passes_the_limit():
    communicator = HttpCommunicator(RequestInfoConsumer.as_asgi(), "POST", "/http/raw/")
    chunk = b"x" * (BODY_LIMIT // 2 + 1)
    await communicator.send_input({"type": "http.request", "body": chunk, "more_body": True})
    assert await communicator.receive_nothing(timeout=0.02)
    await communicator.send_input({"type": "http.request", "body": chunk, "more_body": True})
    start = await communicator.receive_output()  # before the body's last part has arrived
    await body_parts(communicator, 2)
    await communicator.send_input({"type": "http.request", "body": chunk, "more_body": False})
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert start["status"] == 413
    assert communicator.output_queue.empty()  # once: it has ended, and sent nothing for the body's last part


@pytest.mark.parametrize("consumer", [RequestInfoConsumer, GenericRequestInfoConsumer], ids=["raw", "generic"])
async def test_a_body_over_the_limit_is_answered_413_by_both_consumers(consumer):
    communicator = HttpCommunicator(consumer.as_asgi(), "POST", "/http/raw/", body=b"x" * (BODY_LIMIT + 1))
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 413
    assert "at most 65536 bytes" in json.loads(response["body"])["error"]


async def test_async_http_consumer_hands_handle_the_whole_body_and_stops_by_itself():
    communicator = HttpCommunicator(GenericRequestInfoConsumer.as_asgi(), "PUT", "/http/generic/")
    await communicator.send_input({"type": "http.request", "body": b"one,", "more_body": True})
    await communicator.send_input({"type": "http.request", "body": b"two", "more_body": False})
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()  # no http.disconnect needed: it stops when handle() returns
    assert json.loads(response["body"]) == {"method": "PUT", "path": "/http/generic/", "bytes": 7}


class StreamInHandle(AsyncHttpConsumer):
    """The shape many examples show: a stream looped inside handle()."""

    async def handle(self, body):
        await self.send_headers(headers=[(b"content-type", b"text/event-stream")])
        while True:
            await self.send_body(b"data: tick\n\n", more_body=True)
            await asyncio.sleep(0.001)


async def test_a_stream_looped_inside_handle_never_hears_the_client_leave():
    # django/channels#1249: the next event is read only after handle() returns.
    communicator = HttpCommunicator(StreamInHandle.as_asgi(), "GET", "/")
    await open_stream(communicator)
    await communicator.send_input({"type": "http.disconnect"})
    while not communicator.output_queue.empty():  # ticks sent before the client left
        communicator.output_queue.get_nowait()
    ticks = await body_parts(communicator, 3)  # ...and three after: it streams on
    assert ticks == [b"data: tick\n\n"] * 3
    assert not communicator.future.done()
    assert communicator.input_queue.qsize() == 1  # the http.disconnect, never read
    communicator.stop()  # what Daphne does 10 s later, with a warning


class DocsLongPoll(AsyncHttpConsumer):
    """The long-poll of the Channels docs: join a group in handle(), answer from a handler."""

    async def handle(self, body):
        await self.channel_layer.group_add("docs-poll", self.channel_name)
        await self.send_headers(headers=[(b"content-type", b"application/json")])
        await self.send_body(b"", more_body=True)

    async def poll_message(self, event):
        await self.send_body(b'{"message": "never sent"}')


async def test_an_async_http_consumer_has_stopped_before_a_group_message_can_reach_it():
    # django/channels#1747: http_request raises StopConsumer as soon as handle() returns.
    communicator = HttpCommunicator(DocsLongPoll.as_asgi(), "GET", "/")
    await open_stream(communicator)
    await communicator.wait()  # it ended by itself, the response still open
    await get_channel_layer().group_send("docs-poll", {"type": "poll.message"})
    assert communicator.output_queue.empty()  # and it never will be: nothing of it runs any more


class RaiseInHandle(AsyncHttpConsumer):
    async def handle(self, body):
        raise ValueError("a bug in handle()")


async def test_an_exception_in_handle_escapes_the_consumer_and_daphne_answers_500():
    communicator = HttpCommunicator(RaiseInHandle.as_asgi(), "GET", "/")
    await communicator.send_input({"type": "http.request", "body": b""})
    with pytest.raises(ValueError, match="a bug in handle"):
        await communicator.wait()
    assert communicator.output_queue.empty()  # no answer of its own


# --- the root router: consumers first, then Django -------------------------


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [("/http/raw/", 200, b"application/json"), ("/", 200, b"text/html; charset=utf-8"), ("/no/such/page/", 404, None)],
)
async def test_the_root_router_sends_consumer_paths_to_consumers_and_the_rest_to_django(path, status, content_type):
    response = await HttpCommunicator(application, "GET", path, headers=HOST).get_response(timeout=FRAME)
    headers = {name.lower(): value for name, value in response["headers"]}
    assert response["status"] == status
    assert content_type is None or headers[b"content-type"] == content_type


async def test_with_django_first_in_the_router_a_consumer_path_gets_djangos_404():
    django_first = URLRouter([re_path(r"", django_asgi_app), *http_urlpatterns])
    response = await HttpCommunicator(django_first, "GET", "/http/raw/", headers=HOST).get_response(timeout=FRAME)
    assert response["status"] == 404


async def test_without_django_last_in_the_router_every_page_is_an_error():
    communicator = HttpCommunicator(URLRouter(http_urlpatterns), "GET", "/", headers=HOST)
    with pytest.raises(ValueError, match="No route found"):  # a 500 on a real server
        await communicator.wait()


@pytest.mark.parametrize(("path", "status"), [("/", 400), ("/http/raw/", 200)])
async def test_an_http_consumer_skips_djangos_middleware_so_no_allowed_hosts_check(path, status):
    foreign_host = [(b"host", b"evil.example")]
    response = await HttpCommunicator(application, "GET", path, headers=foreign_host).get_response(timeout=FRAME)
    assert response["status"] == status  # Django's 400 is its ALLOWED_HOSTS check
