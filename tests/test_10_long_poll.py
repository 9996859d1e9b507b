"""Lesson 10: long-poll. A GET that waits for a channel-layer message or a timeout; POST
/http/publish/ wakes every waiting poll."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator

from http_demo.consumers import BODY_LIMIT
from http_demo.generic_consumers import PublishConsumer
from http_demo.longpoll import POLL_GROUP, LongPollConsumer
from http_demo.ticker import TickerConsumer
from tests.helpers.http_streams import tasks_named


async def test_a_published_message_answers_every_waiting_poll():
    polls = [HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=5") for _ in range(2)]
    for poll in polls:
        await poll.send_input({"type": "http.request", "body": b""})
    assert await polls[0].receive_nothing(timeout=0.05)  # waiting, joined
    publish = HttpCommunicator(PublishConsumer.as_asgi(), "POST", "/http/publish/", body="héllo".encode())
    published = await publish.get_response()
    answers = [await poll.get_response() for poll in polls]
    for poll in polls:
        await poll.send_input({"type": "http.disconnect"})
        await poll.wait()
    assert published["status"] == 202
    assert [(answer["status"], json.loads(answer["body"])) for answer in answers] == [(200, {"message": "héllo"})] * 2


async def test_a_poll_that_hears_nothing_is_answered_204_after_its_timeout():
    poll = HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=0.05")
    response = await poll.get_response()
    await poll.send_input({"type": "http.disconnect"})
    await poll.wait()
    assert (response["status"], response["body"]) == (204, b"")


async def test_a_client_leaving_a_poll_ends_the_consumer_its_timer_and_its_membership():
    poll = HttpCommunicator(LongPollConsumer.as_asgi(), "GET", "/http/poll/?timeout=30")
    await poll.send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.02)
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
async def test_publishing_bad_input_is_refused_with_a_4xx_and_reaches_no_poll(method, body, status, error):
    layer = get_channel_layer()
    listener = await layer.new_channel()  # stands in for a waiting poll
    await layer.group_add(POLL_GROUP, listener)
    response = await HttpCommunicator(PublishConsumer.as_asgi(), method, "/http/publish/", body=body).get_response()
    assert response["status"] == status
    assert error in json.loads(response["body"])["error"]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(listener), timeout=0.01)
    await layer.group_discard(POLL_GROUP, listener)


@pytest.mark.parametrize("consumer", [LongPollConsumer, TickerConsumer])
@pytest.mark.parametrize("value", ["", "nan", "inf", "-1", "0.01", "61", "abc"])
async def test_a_bad_timeout_or_interval_is_answered_400(consumer, value):
    query = "timeout" if consumer is LongPollConsumer else "interval"
    communicator = HttpCommunicator(consumer.as_asgi(), "GET", f"/http/x/?{query}={value}")
    response = await communicator.get_response()
    assert response["status"] == 400
    assert "from 0.05 to 60" in json.loads(response["body"])["error"]
