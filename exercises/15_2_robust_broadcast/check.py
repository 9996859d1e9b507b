"""Check 15.2: a post is saved and its broadcast logged when the layer is down; sent only after COMMIT.

A save with the layer down does not raise, inside a transaction or in autocommit, and hands no broadcast to a thread
of its own; a layer that answers too slowly does not fail the save; the failed broadcast is logged with its error;
the post is sent only after COMMIT, on the server's loop; nothing is sent for a rolled-back save; two posts saved in
one transaction arrive once each, in order.
"""

import contextlib
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from exercises.probes import LoopWatchingLayer, imported_afresh, serve_layer
from exercises.probes.outside_consumers import received_on
from exercises.probes.throttles import no_thread_raises, posts_sent, survives, redis_down as redis_down  # a fixture
from lessons.channel_config import redis_host as redis_host  # the Redis settings redis_down serves

RULE = "announce() is called by a post_save receiver: its module must import"
POST = {"id": 1, "title": "saved", "body": "while the layer is down"}
LATER = {"id": 2, "title": "saved next", "body": "in the same transaction"}
pytestmark = pytest.mark.django_db(transaction=True)


def started_server():
    """The module imported afresh, as a server with this test's settings imports it: a LAYER it fetches is theirs."""
    return imported_afresh("15.2", RULE)


@pytest.mark.rule(1)
def test_announcing_while_the_layer_is_down_does_not_raise(redis_down):
    at_once = "; a plain save() runs in autocommit, where on_commit runs the callback at once: robust=True covers it"
    module = started_server()
    for where, block, tip in (("inside a transaction", transaction.atomic, ""), ("in autocommit", None, at_once)):
        failed = f"the save failed because the layer is down, {where}"
        with no_thread_raises(where), survives(failed, tip), block() if block else contextlib.nullcontext():
            module.announce(POST)


@pytest.mark.rule(1)
def test_a_layer_that_answers_too_slowly_does_not_fail_the_save(redis_down):
    redis_down.listen(8)  # a Redis that is up but hung: the kernel takes the connection, the read times out
    module = started_server()
    more = ". A layer fails in more ways than a refused connection: let on_commit(..., robust=True) catch and log it"
    with survives("the save failed because the layer answers too slowly", more), transaction.atomic():
        module.announce(POST)


@pytest.mark.rule(2)
def test_the_failed_broadcast_is_logged(redis_down, caplog):
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


@pytest.mark.rule(3)
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
    message = await received_on(layer, channel)  # or, once nothing left running could still send it, a sentence
    if not isinstance(message, dict):
        logged = caplog.text.strip().splitlines()
        pytest.fail(
            f"no post arrived after COMMIT ({message}); the last thing logged: {logged[-1] if logged else 'nothing'}"
        )
    assert message["post"] == POST, f"expected the post after COMMIT, got {message}"


@pytest.mark.rule(4)
async def test_nothing_is_sent_for_a_rolled_back_save(in_memory_layer):
    def roll_back_then_commit(module) -> None:
        with transaction.atomic():
            module.announce(POST)
            transaction.set_rollback(True)
        with transaction.atomic():  # the next save of the same server, committed
            module.announce(LATER)

    assert (sent := await posts_sent(started_server, roll_back_then_commit)) == [LATER], (
        f"a save rolled back, then another committed: expected only {[LATER]} broadcast, got {sent}: "
        "only a committed post may go out (a rolled-back one must not wait to go out with the next COMMIT)"
    )


@pytest.mark.rule(4)
async def test_two_posts_saved_in_one_transaction_arrive_once_each_in_order(in_memory_layer):
    def announce_two(module) -> None:
        with transaction.atomic():
            module.announce(dict(POST))
            module.announce(dict(LATER))

    assert (sent := await posts_sent(started_server, announce_two)) == [POST, LATER], (
        f"two posts saved in one transaction expected {[POST, LATER]} after COMMIT, got {sent}: each callback "
        "must carry its own post (not one kept on the module for the last announce)"
    )


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
