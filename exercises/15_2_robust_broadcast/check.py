"""Check 15.2: a post is saved and its broadcast logged when the layer is down; sent only after COMMIT.

A save with the layer down does not raise, inside a transaction or in autocommit, and hands no broadcast to a thread
of its own; a layer that answers too slowly does not fail the save; the failed broadcast is logged with its error;
the post is sent only after COMMIT, on the server's loop; nothing is sent for a rolled-back save; two posts saved in
one transaction arrive once each, in order.
"""

import asyncio
import contextlib
import functools
import logging
import socket
import threading
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.db import transaction

from exercises.probes import FRAME, LoopWatchingLayer, imported_afresh, serve_layer
from lessons.channel_config import redis_host

RULE = "announce() is called by a post_save receiver: its module must import"
POST = {"id": 1, "title": "saved", "body": "while the layer is down"}
LATER = {"id": 2, "title": "saved next", "body": "in the same transaction"}
pytestmark = pytest.mark.django_db(transaction=True)


# The module imported afresh, as a server with this test's settings imports it: a LAYER it fetches is theirs.
started_server = functools.partial(imported_afresh, "15.2", RULE)


@contextlib.contextmanager
def threads_it_starts():
    """What the threads started inside raised (a broadcast handed to a thread of its own), once they have ended."""
    raised, before = [], set(threading.enumerate())
    with mock.patch.object(threading, "excepthook", lambda args: raised.append(args.exc_value)):
        yield raised
        for thread in set(threading.enumerate()) - before:
            if not thread.name.startswith("ThreadPoolExecutor"):  # a pool's worker (maybe still starting) idles on
                thread.join(FRAME)  # a refused connection ends it in milliseconds; a busy machine gets longer


@pytest.fixture
def layer_down(settings):
    """A real Redis layer, without retries, at a local port held but not listening: refused at once, a Redis down."""
    with socket.socket() as port:
        port.bind(("127.0.0.1", 0))
        host = {**redis_host(f"redis://127.0.0.1:{port.getsockname()[1]}/0"), "retry": None}
        serve_layer(settings, RedisChannelLayer, hosts=[{**host, "socket_timeout": 0.3, "socket_connect_timeout": 1}])
        yield port  # port.listen(): the kernel takes each connection and nobody answers, a Redis that hangs


async def posts_sent(save) -> list:
    """The posts a "liveblog" socket's channel got once `save(module)` ran in a sync thread, the server's module."""
    layer = get_channel_layer()
    await layer.group_add("liveblog", channel := await layer.new_channel())  # as a socket's consumer joins it
    await database_sync_to_async(save)(started_server())
    count = layer.channels[channel].qsize() if channel in layer.channels else 0  # the in-memory layer's queue
    return [(await layer.receive(channel))["post"] for _ in range(count)]


def test_announcing_while_the_layer_is_down_does_not_raise(layer_down):
    at_once = "; a plain save() runs in autocommit, where on_commit runs the callback at once: robust=True covers it"
    module = started_server()
    for where, block, tip in (("inside a transaction", transaction.atomic, ""), ("in autocommit", None, at_once)):
        with threads_it_starts() as raised:
            try:
                with block() if block else contextlib.nullcontext():
                    module.announce(POST)
            except Exception as error:  # what the student's save() would raise
                pytest.fail(f"the save failed because the layer is down, {where}: {type(error).__name__}: {error}{tip}")
        for error in raised:
            pytest.fail(
                f"{where}, the broadcast ran in a thread of its own, and its error ({type(error).__name__}: {error}) "
                "went where no log records it (a thread's error goes to stderr), and every post gets an event loop of "
                "its own: let on_commit(..., robust=True) run the broadcast itself, and log its error"
            )


def test_a_layer_that_answers_too_slowly_does_not_fail_the_save(layer_down):
    layer_down.listen(8)  # a Redis that is up but hung: the kernel takes the connection, the read times out
    module = started_server()
    try:
        with transaction.atomic():
            module.announce(POST)
    except Exception as error:  # what the student's save() would raise
        pytest.fail(
            f"the save failed because the layer answers too slowly: {type(error).__name__}: {error}. A layer fails in "
            "more ways than a refused connection: let on_commit(..., robust=True) catch and log what it raises",
            pytrace=False,
        )


def test_the_failed_broadcast_is_logged(layer_down, caplog):
    module = started_server()
    with caplog.at_level(logging.WARNING), transaction.atomic(), contextlib.suppress(Exception):
        module.announce(POST)  # a save that raises is the first test's to report
    said = caplog.text.strip()
    why = "an error swallowed without a word leaves nobody knowing that sockets missed a post"
    if said:
        why = "a line that does not name the error leaves nobody knowing why sockets missed a post: log it with the "
        why += "exception (logger.exception(...), or exc_info=True)"
    assert "Error" in said and "Connect" in said, (
        f"expected the failed broadcast (the layer's ConnectionError) logged at WARNING or above, got "
        f"{said[:200] or 'nothing'}: {why}"
    )


async def test_the_post_is_sent_only_after_commit(settings, caplog):
    serve_layer(settings, LoopWatchingLayer)  # group calls on the server's loop only
    layer = get_channel_layer()  # built on the server's loop, as the server builds it
    await layer.group_add("liveblog", channel := await layer.new_channel())
    module = started_server()  # imported on the server's loop, as the server imports it

    def announce_then_look() -> bool:
        with transaction.atomic():
            module.announce(POST)
            return channel in layer.channels and not layer.channels[channel].empty()  # a message waits on it

    assert not await database_sync_to_async(announce_then_look)(), (
        "the post was sent before COMMIT: a rollback could undo what a socket saw"
    )
    try:
        message = await asyncio.wait_for(layer.receive(channel), FRAME)
    except TimeoutError:
        logged = caplog.text.strip().splitlines()
        pytest.fail(f"no post arrived after COMMIT; the last thing logged: {logged[-1] if logged else 'nothing'}")
    assert message["post"] == POST, f"expected the post after COMMIT, got {message}"


async def test_nothing_is_sent_for_a_rolled_back_save(in_memory_layer):
    def roll_back_then_commit(module) -> None:
        with transaction.atomic():
            module.announce(POST)
            transaction.set_rollback(True)
        with transaction.atomic():  # the next save of the same server, committed
            module.announce(LATER)

    assert (sent := await posts_sent(roll_back_then_commit)) == [LATER], (
        f"a save rolled back, then another committed: expected only {[LATER]} broadcast, got {sent}: "
        "only a committed post may go out (a rolled-back one must not wait to go out with the next COMMIT)"
    )


async def test_two_posts_saved_in_one_transaction_arrive_once_each_in_order(in_memory_layer):
    def announce_two(module) -> None:
        with transaction.atomic():
            module.announce(dict(POST))
            module.announce(dict(LATER))

    assert (sent := await posts_sent(announce_two)) == [POST, LATER], (
        f"two posts saved in one transaction expected {[POST, LATER]} after COMMIT, got {sent}: each callback "
        "must carry its own post (not one kept on the module for the last announce)"
    )
