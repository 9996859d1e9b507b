"""Check 12.1: replay the posts a reconnecting client missed."""

import pytest
from channels.testing import WebsocketCommunicator

from db_demo.models import Post
from exercises.checks import answer, frame, nothing_more, target


@pytest.mark.django_db(transaction=True)
async def test_the_posts_after_since_arrive_oldest_first():
    posts = [await Post.objects.acreate(title=f"t{n}", body="b") for n in range(4)]
    communicator = WebsocketCommunicator(target("12.1").ReplaySinceConsumer.as_asgi(), f"/?since={posts[1].id}")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    got = [await frame(communicator, timeout=2) for _ in range(2)]
    expected = [{"post": posts[2].as_frame()}, {"post": posts[3].as_frame()}]
    assert got == expected, f"expected the posts after since, oldest first: {expected}, got {got}"
    assert await nothing_more(communicator), "a post at or before since was sent too: only id > since"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)  # a wrong solution may query before it checks since
@pytest.mark.parametrize("query", ["", "since=", "since=-1", "since=1.5", "since=one"])
async def test_a_bad_since_is_closed_4400(query):
    communicator = WebsocketCommunicator(target("12.1").ReplaySinceConsumer.as_asgi(), f"/?{query}")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted before it is closed"
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4400}, f"?{query}: since must be a non-negative integer, else close with 4400 after the accept, got {got}"
    await communicator.disconnect()
