"""Check 15.2: a post is saved and its broadcast logged when the layer is down; sent only after COMMIT."""

import asyncio
import contextlib
import logging
import socket
import threading
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from exercises.probes import FRAME, imported_afresh
from lessons.channel_config import IN_MEMORY, redis_host

POST = {"id": 1, "title": "saved", "body": "while the layer is down"}
LATER = {"id": 2, "title": "saved next", "body": "in the same transaction"}


def started_server():
    """The student's module as a server started with this test's CHANNEL_LAYERS imports it.

    Each test imports it afresh, after its settings are in place: a layer fetched
    once at import (LAYER = get_channel_layer()) is then the one this test set,
    as it is the one a server's settings name.
    """
    return imported_afresh("15.2", "announce() is called by a post_save receiver: its module must import")


@contextlib.contextmanager
def threads_it_starts():
    """What the threads started inside raised (a broadcast handed to a thread of its own), once they have ended."""
    raised: list[BaseException] = []
    before = set(threading.enumerate())
    with mock.patch.object(threading, "excepthook", lambda args: raised.append(args.exc_value)):
        yield raised
        for thread in set(threading.enumerate()) - before:
            if not thread.name.startswith("ThreadPoolExecutor"):  # a pool's idle worker waits for more work
                thread.join(2)


def free_port() -> int:
    """A local port where nothing listens (the OS hands out a free one; we close it at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def layer_down(settings):
    """A real Redis layer pointed at a port where no Redis listens, without retries: down, at once."""
    host = {**redis_host(f"redis://127.0.0.1:{free_port()}/0"), "retry": None, "socket_connect_timeout": 1}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [host]}}
    }


@pytest.mark.django_db(transaction=True)
def test_announcing_while_the_layer_is_down_does_not_raise(layer_down):
    # A plain save() runs outside any transaction (autocommit): its post_save comes with no atomic block around it.
    at_once = "; on_commit runs the callback at once when no transaction is open, and robust=True covers that too"
    module = started_server()
    for where, block, advice in (
        ("inside a transaction", transaction.atomic, ""),
        ("in autocommit", contextlib.nullcontext, at_once),
    ):
        with threads_it_starts() as raised:
            try:
                with block():
                    module.announce(POST)
            except Exception as error:  # what the student's save() would raise
                pytest.fail(
                    f"the save failed because the layer is down, {where}: {type(error).__name__}: {error}{advice}"
                )
        for error in raised:
            pytest.fail(
                f"{where}, the broadcast ran in a thread of its own, and its error ({type(error).__name__}: {error}) "
                "went where no log records it (a thread's error goes to stderr), and every post gets an event loop of "
                "its own: let on_commit(..., robust=True) run the broadcast itself, and log its error"
            )


@pytest.mark.django_db(transaction=True)
def test_a_layer_that_answers_too_slowly_does_not_fail_the_save(settings):
    # A Redis that is up but hung: the kernel takes the connection, nobody ever answers, the read times out.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        address = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"
        host = {**redis_host(address), "retry": None, "socket_timeout": 0.3, "socket_connect_timeout": 0.3}
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [host]}}
        }
        module = started_server()
        try:
            with transaction.atomic():
                module.announce(POST)
        except Exception as error:  # what the student's save() would raise
            pytest.fail(
                f"the save failed because the layer answers too slowly: {type(error).__name__}: {error}. A layer "
                "fails in more ways than a refused connection (a timeout, a full channel, an error of its own): "
                "let on_commit(..., robust=True) catch and log whatever the broadcast raises",
                pytrace=False,
            )


@pytest.mark.django_db(transaction=True)
def test_the_failed_broadcast_is_logged(layer_down, caplog):
    module = started_server()
    with caplog.at_level(logging.WARNING), transaction.atomic():
        try:
            module.announce(POST)
        except Exception:
            pass  # the test above reports this one
    said = caplog.text.strip()
    why = (
        "a line that does not name the error leaves nobody knowing why sockets missed a post: log it with the "
        "exception (logger.exception(...), or exc_info=True)"
        if said
        else "an error swallowed without a word leaves nobody knowing that sockets missed a post"
    )
    assert "Error" in caplog.text and "Connect" in caplog.text, (
        f"expected the failed broadcast (the layer's ConnectionError) logged at WARNING or above, got "
        f"{said[:200] or 'nothing'}: {why}"
    )


@pytest.mark.django_db(transaction=True)
async def test_the_post_is_sent_only_after_commit(settings, caplog):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.probes.LoopWatchingLayer"}}  # the server's loop only
    layer = get_channel_layer()  # built on the server's loop, as the server builds it
    channel = await layer.new_channel()
    await layer.group_add("liveblog", channel)
    module = started_server()  # imported on the server's loop, as the server imports it

    def announce_then_look() -> bool:
        with transaction.atomic():
            module.announce(POST)
            return layer.channels.get(channel) is not None and not layer.channels[channel].empty()

    sent_before_commit = await database_sync_to_async(announce_then_look)()
    assert not sent_before_commit, "the post was sent before COMMIT: a rollback could undo what a socket saw"
    try:
        message = await asyncio.wait_for(layer.receive(channel), FRAME)
    except TimeoutError:
        logged = caplog.text.strip().splitlines()
        pytest.fail(f"no post arrived after COMMIT; the last thing logged: {logged[-1] if logged else 'nothing'}")
    assert message["post"] == POST, f"expected the post after COMMIT, got {message}"


def in_memory_group(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY  # one process: a layer the check can look into
    return get_channel_layer()


async def everything_in(layer, channel) -> list:
    found = []
    while layer.channels.get(channel) is not None and not layer.channels[channel].empty():
        found.append((await layer.receive(channel))["post"])
    return found


@pytest.mark.django_db(transaction=True)
async def test_nothing_is_sent_for_a_rolled_back_save(settings):
    layer = in_memory_group(settings)
    channel = await layer.new_channel()
    await layer.group_add("liveblog", channel)
    module = started_server()

    def roll_back_then_commit() -> None:
        with transaction.atomic():
            module.announce(POST)
            transaction.set_rollback(True)
        with transaction.atomic():  # the next save of the same server, committed
            module.announce(LATER)

    await database_sync_to_async(roll_back_then_commit)()
    sent = await everything_in(layer, channel)
    assert sent == [LATER], (
        f"a save rolled back, then another committed: expected only {[LATER]} broadcast, got {sent}: "
        "only a committed post may go out (a rolled-back one must not wait to go out with the next COMMIT)"
    )


@pytest.mark.django_db(transaction=True)
async def test_two_posts_saved_in_one_transaction_arrive_once_each_in_order(settings):
    layer = in_memory_group(settings)
    channel = await layer.new_channel()
    await layer.group_add("liveblog", channel)
    module = started_server()

    def announce_two() -> None:
        with transaction.atomic():
            module.announce(dict(POST))
            module.announce(dict(LATER))

    await database_sync_to_async(announce_two)()
    sent = await everything_in(layer, channel)
    assert sent == [POST, LATER], (
        f"two posts saved in one transaction expected {[POST, LATER]} after COMMIT, got {sent}: each callback "
        "must carry its own post (not one kept on the module for the last announce)"
    )
