"""Check 05.4 (fix): send() to a full channel raises ChannelFull: catch it, tell the client, keep the socket.

A full queue is answered with an error and the socket stays open; each socket queues jobs that name its own reply
channel; a frame of any other shape gets an error and queues nothing; a queue full of other processes' jobs is
answered with an error; a layer that fails is never told as a full queue.
"""

import json
from unittest.mock import AsyncMock

import pytest
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer

from exercises.probes import FRAME, NOTHING, bad_frames, close_all, failure_told_truly, never_blocks, proved
from exercises.probes import nothing_more, refused_with_error, running_tasks, serve_layer, sockets, tasks_left
from exercises.probes.layer_limits import ask, forged_job_rewritten, jobs_waiting, only_its_error, refused, sends_tried
from exercises.probes.layer_limits import taken_from_the_queue

EXERCISE, CONSUMER, QUEUE = "05.4", "ThumbnailConsumer", "fixthumbs"
RULE = "A job the queue cannot take is the client's news, answered at once on a socket that stays open"
STALL = 0.25  # a blocking call stalls for as long as it blocks; a loaded machine, for tens of ms on its own
# Every shape but {"image": <text>}, without Hypothesis's draws (too slow on a loaded machine), and a nesting too
# deep to decode (json.loads raises RecursionError, not ValueError). No empty frame: send_to() cannot send one.
SHAPES = bad_frames("image", "cat.png", ("[" * 100_000,), 0)


@pytest.fixture(autouse=True)
def small_capacity(settings):
    """A layer whose channels hold two messages: the queue is full after two jobs."""
    serve_layer(settings, InMemoryChannelLayer, capacity=2)


@pytest.mark.rule(2, 5)
async def test_a_full_queue_is_answered_with_an_error_and_the_socket_stays_open(app, monkeypatch):
    tries = sends_tried(monkeypatch)  # each send() the consumer tries, by channel: a retry shows as one more
    async with never_blocks(STALL):
        before = running_tasks()
        alice, bob = await sockets(app)
        got = [await ask(alice, "one.png"), await ask(bob, "two.png")]
        assert got == [{"queued": "one.png"}, {"queued": "two.png"}], f"the first two jobs fit the queue, got {got}"
        tries.clear()
        got = await ask(alice, "three.png")  # the queue holds two: it is full now
        assert got != NOTHING, f"a job the full queue refused got no answer within {FRAME:.0f} s. {RULE}"
        assert refused(got), f'the queue was full when alice sent a third image: expected {{"error": ...}}, got {got}'
        retried = tries.count(QUEUE) - 1  # told after the first send() raised ChannelFull, or after retries
        assert await nothing_more(bob), "alice's refused job was answered on bob's socket too: only the sender hears"
        await only_its_error(alice, "alice")  # and her socket stays open
        await taken_from_the_queue(QUEUE)  # the worker takes one job: there is room again
        assert (waiting := await jobs_waiting(QUEUE)) == 1, (  # the other job, and a refused one retried meanwhile?
            f"alice's three.png was refused, and once the worker made room the queue held {waiting} jobs: the refused "
            "job went in after all; the client decides whether to try again (a job retried for it is made twice)"
        )
        again = await ask(alice, "three.png")
        assert again == {"queued": "three.png"}, f"once room was made, alice's next try must be queued, got {again}"
        await close_all(alice, bob)
        left = await tasks_left(before)
        assert not left, f"{len(left)} task(s) still run after both sockets closed: a refused job retried in a task"
    assert retried <= 0, (  # after the stall monitor: a blocking wait is named as such first
        f"the refusal came after {retried} retries of the full queue: a retry holds the socket's other frames. {RULE}"
    )
    proved("boundaries", 1)


@pytest.mark.rule(1, 5)
async def test_each_socket_queues_jobs_that_name_its_own_reply_channel(app):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        got = [await ask(alice, "cat.png"), await ask(bob, "dog.png")]
        assert got == [{"queued": image} for image in ("cat.png", "dog.png")], f"each job gets {{'queued': ...}}: {got}"
        jobs = [await taken_from_the_queue(QUEUE) for _ in range(2)]
        made = [(job.get("type"), job.get("image")) for job in jobs]
        assert made == [("thumbnail.make", image) for image in ("cat.png", "dog.png")], f"the worker got {jobs}"
        replies = [job.get("reply_to") for job in jobs]
        own = all(isinstance(r, str) and r for r in replies) and replies[0] != replies[1]
        assert own, f"each job must name its own socket's channel in reply_to (the worker answers there): {replies}"
        await forged_job_rewritten(alice, QUEUE, replies[0])  # her reply_to, type and "owner": the server writes
        await close_all(alice, bob)


@pytest.mark.rule(3, 5)
async def test_a_frame_of_any_other_shape_gets_an_error_and_queues_nothing(app):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        for text in SHAPES:
            await refused_with_error(alice, text)
        assert await nothing_more(bob), "a bad frame from alice reached bob's socket: only the sender hears its error"
        proved("bad frames", len(SHAPES))
        queued = get_channel_layer().channels.get(QUEUE)
        assert not queued, f"a bad frame was queued for the worker ({len(queued)} jobs): only {{'image': <name>}} is"
        assert await ask(alice, "cat.png") == {"queued": "cat.png"}, "after bad frames a job must still be queued"
        await close_all(alice, bob)


@pytest.mark.rule(2)
async def test_a_queue_full_of_other_processes_jobs_is_answered_with_an_error(app, monkeypatch):
    # The queue as the Redis layer sees it when other server processes filled it: full, though none of it is here.
    monkeypatch.setattr(get_channel_layer(), "send", AsyncMock(side_effect=ChannelFull()))  # bare: str() of it is ""
    (alice,) = await sockets(app, count=1)
    got = await ask(alice, "cat.png")
    assert got != {"error": ""}, (
        'send() raised ChannelFull(), bare as Redis raises it, and alice got {"error": ""} (str() of it): an error '
        'with no text tells nothing. Write the reason: {"error": "queue full, ..."}'
    )
    assert refused(got) and not alice.future.done(), (
        f'the queue was full of other server processes\' jobs and send() raised ChannelFull: expected {{"error": ...}} '
        f"on a socket that stays open, got {got}. Only send() knows whether a shared queue has room: catch ChannelFull"
    )
    await close_all(alice)


@pytest.mark.rule(4)
async def test_a_layer_that_fails_is_never_told_as_a_full_queue(app, monkeypatch):
    (alice,) = await sockets(app, count=1)
    down = AsyncMock(side_effect=ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."))
    monkeypatch.setattr(get_channel_layer(), "send", down)  # what a Redis that is down raises on every call
    await alice.send_to(text_data=json.dumps({"image": "cat.png"}))
    failure = "alice sent {'image': 'cat.png'} and the layer's send raised ConnectionError (its Redis is down)"
    harm = "a queue that is down is no full queue: alice tries again and again, and nobody looks at Redis"
    await failure_told_truly(alice, failure, "alice", untrue="full", harm=harm, wrong="queued")


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_layer_failure_while_joining_is_told,
)
