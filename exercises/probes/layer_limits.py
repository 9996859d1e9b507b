"""A channel layer at its limits: failing as Redis fails (05.2), full (05.4), and what a socket hears then.

The stand-in layers are module-level classes, so serve_layer() can name them in CHANNEL_LAYERS's BACKEND.
"""

import asyncio
import json
from traceback import extract_tb

import pytest
import redis
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator  # imported once, before any stall monitor

from exercises.probes.waits import NOTHING, answer, frame, next_output, nothing_more, or_settled, until
from harness.patience import FRAME

# What redis-py raises, and its words, when Redis is down, slow, or a replica after a failover (ZADD, ZREM refused).
DOWN = redis.ConnectionError, "Error 111 connecting to 127.0.0.1:6379. Connection refused."
SLOW = redis.TimeoutError, "Timeout reading from 127.0.0.1:6379"
READ_ONLY = redis.ReadOnlyError, "You can't write against a read only replica."


def failing(name: str, error: tuple, *calls: str) -> type:
    """The in-memory layer whose `calls` raise `error` (its class, its words), a new one each call, as redis-py does."""

    async def fail(self, *args):
        raise error[0](f"{error[1]} (a check's broken layer)")

    return type(name, (InMemoryChannelLayer,), dict.fromkeys(calls, fail))


# Check 05.2's outages: joining fails three ways, then a send alone, then the consumer's read of its own channel.
BrokenLayer = failing("BrokenLayer", DOWN, "group_add", "group_send", "group_discard")  # leaving fails too
SlowRedisLayer = failing("SlowRedisLayer", SLOW, "group_add", "group_discard")
ReplicaLayer = failing("ReplicaLayer", READ_ONLY, "group_add", "group_discard")
SendFailsLayer = failing("SendFailsLayer", DOWN, "group_send")  # Redis goes after the sockets joined
UnreadableLayer = failing("UnreadableLayer", SLOW, "receive")  # Redis goes while the consumer waits on its channel


def is_4503(got) -> bool:
    """A close with 4503 (try again later); a "reason" beside the code is the client's news too, and allowed."""
    return isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4503


def closed_4503(got, where: str, rule: str) -> str:
    """The sentence for a socket that heard `got`, not a 4503, when the layer failed `where`."""
    if got == NOTHING:
        return (
            f"the layer failed {where} and the socket heard nothing: a failure swallowed leaves the client on a "
            f"dead socket, believing it worked. {rule}"
        )
    return f"the layer failed {where}: expected a close with 4503 (1011 would say the consumer crashed), got {got}"


async def ended(communicator) -> object:
    """The next event, or a sentence naming the exception the consumer ended with (the server's 1011).

    answer() fails the check on a crash; a check that wants the crash itself (a bug that must not
    become a 4503) reads it here as a value.
    """
    try:
        return await next_output(communicator, FRAME)
    except TimeoutError:
        return NOTHING
    except Exception as error:  # the consumer crashed: the server would close the socket with 1011
        return f"a crash (1011): {type(error).__module__}.{type(error).__name__}: {error}"


async def closing(app, wait=answer) -> tuple:
    """A socket connecting, and what it got after an accept, if accepted before joining (its client hears the 4503)."""
    await (communicator := WebsocketCommunicator(app, "/")).send_input({"type": "websocket.connect"})
    got = await wait(communicator)  # an accept may carry "subprotocol": None, and headers: its type says what it is
    accepted = isinstance(got, dict) and got.get("type") == "websocket.accept"
    return communicator, await wait(communicator) if accepted else got


async def ends_quietly_after_its_4503(communicator) -> None:
    """A consumer that closed with 4503 ends without raising: an outage is no crash (1011) for the server to log.

    Its clean-up runs as it ends, so the wait is here; a raise from a group_discard, with Redis
    gone too, is told as such: leaving is what fails there, not the 4503. One that waits for the
    websocket.disconnect the server sends after a close (or for anything else) ends the wait as soon
    as nothing left running could end it (quiet.py's settled()), not FRAME later: it has raised nothing.
    """
    ending = communicator.future
    await until(or_settled(ending.done), FRAME)  # a consumer that closed ends now: its clean-up runs here
    after = ending.exception() if ending.done() and not ending.cancelled() else None
    why = "the RedisError was raised again after the close (a raise in the except): the 4503 told it, end quietly"
    if after is not None and any("group_discard" in (f.line or "") for f in extract_tb(after.__traceback__)):
        why = "with Redis gone, leaving the group failed too: ignore a RedisError there (the membership expires)"
    assert after is None, (
        f"after its 4503 the consumer ended with {type(after).__name__}: {after}: {why}; a layer failure must "
        "close the socket with 4503, not crash it (1011), or the server logs a crash for every socket of the outage"
    )


# Check 05.4: a queue of thumbnail jobs that is full, or looks full, and a client told so.


async def ask(communicator, image: str) -> object:
    """Send {"image": image}; the decoded answer, NOTHING, or a sentence naming the crash (the server's 1011)."""
    await communicator.send_to(text_data=json.dumps({"image": image}))
    try:
        return await frame(communicator)  # a frame whose text is bytes comes back as a sentence saying so
    except pytest.fail.Exception as crash:  # the consumer crashed: the server logs it and closes the socket with 1011
        return f"a crash, the socket closed with 1011 ({crash})"


def refused(got: object) -> bool:
    """{"error": "<why>"}, more keys allowed (the image, say), but never a "queued" beside it."""
    return isinstance(got, dict) and isinstance(got.get("error"), str) and bool(got["error"]) and "queued" not in got


def sends_tried(monkeypatch) -> list:
    """The channel of each send() the consumer tries, in order, the layer's own send() run: a retry is one more."""
    layer, tries = get_channel_layer(), []
    send = layer.send

    async def counted(to, job):  # a coroutine function, as the layer's own: async_to_sync(layer.send) takes it too
        tries.append(to)
        return await send(to, job)

    monkeypatch.setattr(layer, "send", counted)
    return tries


async def only_its_error(communicator, who: str) -> None:
    """After its error, the socket of a refused job hears nothing more, and stays open for the client's next try."""
    more = NOTHING if await nothing_more(communicator, 0.1) else await frame(communicator)
    shut = isinstance(more, dict) and more.get("type") == "websocket.close"
    assert not (shut or communicator.future.done()), (
        f"{who}'s socket was closed: the socket stays open for the next try"
    )
    assert more == NOTHING, f"then {who} got {more}: a refused job gets one error frame, and nothing else"


async def taken_from_the_queue(queue: str) -> dict:
    """The next job on `queue`, as the worker takes it; the check fails if none is there within FRAME."""
    try:
        async with asyncio.timeout(FRAME):
            return await get_channel_layer().receive(queue)
    except TimeoutError:
        said = f'the client was told {{"queued": ...}}, and no job was on {queue!r} within {FRAME:.0f} s: the send'
        pytest.fail(f"{said} never ran (a coroutine not awaited does nothing) or went elsewhere; await it", False)


async def forged_job_rewritten(alice, queue: str, own: str) -> None:
    """alice forges a job's reply_to, type and one more key; if it is queued, the server wrote it from its three keys.

    A worker trusts its job: a reply_to she names sends the thumbnail to mallory, a type she names
    runs another handler, and any key riding along (an "owner") is believed. Refused, or those keys
    ignored: either is right, so a job is read only if alice was told {"queued": ...}.
    """
    mallory = "specific.mallory!inbox"  # a channel alice names, hoping the worker answers there
    forged = {"image": "evil.png", "reply_to": mallory, "type": "thumbnail.delete", "owner": "bob"}
    await alice.send_to(text_data=json.dumps(forged))
    if await frame(alice) == {"queued": "evil.png"}:  # an extra key may be refused too, or ignored
        job = await taken_from_the_queue(queue)
        got = job.get("reply_to")
        assert got == own, f"alice named reply_to {mallory!r}, the job: {got!r}: the server writes reply_to"
        got = job.get("type")
        assert got == "thumbnail.make", (
            f"alice named type 'thumbnail.delete', the job has {got!r}: the type names the handler the worker runs, "
            "so the server writes it, never a client"
        )
        assert sorted(job) == ["image", "reply_to", "type"], (
            f"alice's frame carried 'owner': 'bob', and her job reached the worker as {job}: whatever else a frame "
            "holds never rides along to a worker that may trust it; build the job from its three keys"
        )


async def jobs_waiting(queue: str) -> int:
    """How many jobs `queue` holds once a refused job retried in the background (within 1 s) would have gone in."""
    waiting = get_channel_layer().channels.get(queue) or asyncio.Queue()
    await until(lambda: waiting.qsize() > 1, 1.0)
    return waiting.qsize()
