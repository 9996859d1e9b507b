"""Lesson 12: replay by id on ws/liveblog/?since=<id>, and the two wrong orders that lose or repeat a post."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from db_demo import history, liveblog
from db_demo.liveblog import LIVEBLOG_GROUP, LiveblogConsumer, since_id
from db_demo.models import ChatMessage, Post
from harness.patience import FRAME, polled
from lessons.asgi import application
from tests.helpers.clients import ORIGIN, group_members

BODY = "replayed by id"


def save_posts(*titles: str) -> list[Post]:
    return [Post.objects.create(title=title, body=BODY) for title in titles]


# A sentinel: group_sent after everything a test published, so once it arrives
# nothing published earlier is still on its way (lesson 09, "Proving silence").
END = {"type": "post.published", "post": {"id": 0, "title": "(the test's end marker)", "body": ""}}


async def received_posts(communicator: WebsocketCommunicator) -> list[str]:
    """The titles of every post frame that arrives before the END marker."""
    # ReadThenJoinConsumer joins only after its replay.
    assert await polled(lambda: group_members(LIVEBLOG_GROUP), FRAME, every=0.001), "the consumer never joined"
    await get_channel_layer().group_send(LIVEBLOG_GROUP, END)
    titles = []
    while (post := (await communicator.receive_json_from())["post"]) != END["post"]:
        titles.append(post["title"])
    return titles


def save_a_post_during_the_read(monkeypatch, title: str, after_the_read: bool = False) -> asyncio.Event:
    """Make the replay's query save (and commit, and publish) a post just before, or just after, it reads.

    The event is set once the read and the save are done.
    """
    read = liveblog.newest_posts_after
    done = asyncio.Event()

    async def read_and_save(since):
        if not after_the_read:
            await database_sync_to_async(save_posts)(title)
        posts = await read(since)
        if after_the_read:
            await database_sync_to_async(save_posts)(title)
        done.set()
        return posts

    monkeypatch.setattr(liveblog, "newest_posts_after", read_and_save)
    return done


class ReadThenJoinConsumer(LiveblogConsumer):
    """Wrong order 1: read the backlog, then join the group."""

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})
        for post in await liveblog.newest_posts_after(since_id(self.scope)):
            await self.send_post(post)
        await self.channel_layer.group_add(LIVEBLOG_GROUP, self.channel_name)


class NoDeduplicationConsumer(LiveblogConsumer):
    """Wrong order 2: join, then read, but send every live post, even one the replay sent."""

    async def post_published(self, event):
        await self.send_post(event["post"])


@pytest.mark.django_db(transaction=True)
async def test_a_socket_reconnecting_without_since_misses_what_was_saved_while_it_was_away():
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/")
    await communicator.connect()
    await communicator.disconnect()
    await database_sync_to_async(save_posts)("while away")  # at-most-once: sent to no one
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/")
    await communicator.connect()
    await database_sync_to_async(save_posts)("after")
    assert await received_posts(communicator) == ["after"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_since_replays_every_later_post_oldest_first_then_the_live_ones():
    first, *later = await database_sync_to_async(save_posts)("one", "two", "three")
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), f"/ws/liveblog/?since={first.pk}")
    await communicator.connect()
    await database_sync_to_async(save_posts)("four")
    assert await received_posts(communicator) == ["two", "three", "four"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_without_since_nothing_is_replayed():
    await database_sync_to_async(save_posts)("saved before")
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/")
    await communicator.connect()
    assert await received_posts(communicator) == []
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_replay_sends_the_100_newest_later_posts_oldest_first():
    await database_sync_to_async(save_posts)(*[str(n) for n in range(105)])
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    assert await received_posts(communicator) == [str(n) for n in range(5, 105)]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("after_the_read", [False, True], ids=["saved-before-the-read", "saved-after-the-read"])
async def test_a_post_saved_while_the_replay_runs_arrives_exactly_once(monkeypatch, after_the_read):
    await database_sync_to_async(save_posts)("old")
    saved = save_a_post_during_the_read(monkeypatch, "during the replay", after_the_read)
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    await saved.wait()
    assert await received_posts(communicator) == ["old", "during the replay"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_reading_before_joining_loses_a_post_saved_in_between(monkeypatch):
    save_a_post_during_the_read(monkeypatch, "in between", after_the_read=True)
    communicator = WebsocketCommunicator(ReadThenJoinConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    assert await received_posts(communicator) == []  # saved, committed, published: never seen
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_joining_first_without_deduplication_sends_a_post_saved_in_between_twice(monkeypatch):
    saved = save_a_post_during_the_read(monkeypatch, "in between")
    communicator = WebsocketCommunicator(NoDeduplicationConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    await saved.wait()
    assert await received_posts(communicator) == ["in between", "in between"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_update_of_a_replayed_post_still_arrives():
    [post] = await database_sync_to_async(save_posts)("draft")
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    post.title = "corrected"
    await database_sync_to_async(post.save)()  # same id, new content: news, not a duplicate
    assert await received_posts(communicator) == ["draft", "corrected"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_reconnecting_with_the_last_id_seen_misses_nothing_and_gets_nothing_twice():
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/?since=0")
    await communicator.connect()
    await database_sync_to_async(save_posts)("one", "two")
    last_seen = (await database_sync_to_async(Post.objects.get)(title="two")).pk
    seen = await received_posts(communicator)
    await communicator.disconnect()
    await database_sync_to_async(save_posts)("three", "four")  # while the client is away
    communicator = WebsocketCommunicator(LiveblogConsumer.as_asgi(), f"/ws/liveblog/?since={last_seen}")
    await communicator.connect()
    await database_sync_to_async(save_posts)("five")
    seen += await received_posts(communicator)
    await communicator.disconnect()
    assert seen == ["one", "two", "three", "four", "five"]


@pytest.mark.parametrize("since", ["", "-1", "1.5", "1e3", "abc", "+1", "%201", "1&since=2", "9" * 19, "%D9%A1"])
async def test_a_since_that_is_not_a_post_id_is_closed_4400_before_any_frame(since):
    communicator = WebsocketCommunicator(application, f"/ws/liveblog/?since={since}", headers=ORIGIN)
    accepted, _ = await communicator.connect()
    close = await communicator.receive_output()
    assert accepted
    await communicator.disconnect()
    assert (close["type"], close["code"]) == ("websocket.close", 4400)


@pytest.mark.django_db(transaction=True)
async def test_a_message_saved_between_join_and_history_comes_twice_with_one_id(monkeypatch):
    read = history.recent_messages

    def save_and_broadcast_then_read(room):
        # What another socket in the room does: save, then group_send.
        frame = ChatMessage.objects.create(room=room, text="in between").as_frame()
        async_to_sync(get_channel_layer().group_send)(f"db-room-{room}", {"type": "chat.message", "frame": frame})
        return read(room)

    monkeypatch.setattr("db_demo.consumers.recent_messages", save_and_broadcast_then_read)
    communicator = WebsocketCommunicator(application, "/ws/db/room/replay/", headers=ORIGIN)
    await communicator.connect()
    [in_history] = (await communicator.receive_json_from())["history"]
    live = await communicator.receive_json_from()
    await communicator.disconnect()
    assert live == in_history  # twice, never zero times: the client drops an id it already holds
