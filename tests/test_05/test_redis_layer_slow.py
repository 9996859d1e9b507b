"""Lesson 05 on real Daphne processes: two processes per room, idle sockets, crowds, bursts and a Redis restart."""

import asyncio
import json

import pytest
import redis
from websockets.exceptions import InvalidStatus

from harness.patience import FRAME
from tests.helpers.clients import chat_socket, next_frame, receives_nothing
from tests.helpers.faults import by_sender, chat_in_waves, hear_all, shortfalls

pytestmark = pytest.mark.slow
REDIS_LAYERS = pytest.mark.parametrize("kind", ["core", "pubsub"])


@REDIS_LAYERS
async def test_two_daphne_processes_on_redis_share_a_room(daphne, redis_url, kind):
    first, second = daphne(redis_url, kind), daphne(redis_url, kind)
    alice, bob = await chat_socket(first, "lobby"), await chat_socket(second, "lobby")
    await alice.send(json.dumps({"message": "across processes"}))
    assert (await next_frame(bob))["message"] == "across processes"
    await alice.close()
    await bob.close()


async def test_two_daphne_processes_on_the_in_memory_layer_do_not_share_a_room(daphne):
    first, second = daphne(), daphne()
    alice, bob = await chat_socket(first, "lobby"), await chat_socket(second, "lobby")
    await alice.send(json.dumps({"message": "anyone?"}))
    assert (await next_frame(alice))["message"] == "anyone?"  # it was sent, in alice's process
    assert await receives_nothing(bob, timeout=1)
    await alice.close()
    await bob.close()


async def test_idle_chat_sockets_survive_15_seconds_on_both_redis_layers(daphne, redis_url):
    # Both layers in one test, so the 15 s of silence are waited only once.
    sockets = [await chat_socket(daphne(redis_url, kind), f"idle-{kind}") for kind in ("core", "pubsub")]
    await asyncio.sleep(15)
    for ws in sockets:
        await ws.send(json.dumps({"message": "still here"}))
        assert (await next_frame(ws))["message"] == "still here"
        await ws.close()


# The claims below hold under these conditions, and count what arrived against what was sent (a
# busy machine only makes the fan-out slower, so the tests wait by progress, never a time per frame):
# - the core layer's group_send puts one message per process into that process's channel in Redis,
#   so a process holds at most as many broadcasts as were sent: 150 and 400, under CAPACITY (1000),
#   past which group_send drops a message and says nothing;
# - one address may send 500 messages a minute (lesson 16's budget): 150 and 400 are under it;
# - every socket reads as it goes, so none passes lesson 16's WEBSOCKET_UNREAD_LIMIT (4429);
# - no broadcast waits in Redis past the core layer's EXPIRY (60 s), which deletes it unread and says
#   nothing: the crowd chats in waves (chat_in_waves), each heard by all before the next; the burst's
#   400 fan out well within it (seconds; a minute would be a machine 10x slower than a laptop);
# - Daphne gives each handshake as long as the client waits for it, CONDITION (CrowdDaphne), not 5 s:
#   on a busy machine the last of 150 at once took longer, and Daphne refused it with 403.


@REDIS_LAYERS
async def test_150_sockets_connect_and_chat_at_once(daphne, redis_url, kind):
    server = daphne(redis_url, kind, crowd=True)  # 150 handshakes at once: redis-py's pool of 100 refused 51
    sockets = await asyncio.gather(*(chat_socket(server, "crowd") for _ in range(150)))
    sent = [str(n) for n in range(150)]
    speakers = list(zip(sockets, sent, strict=True))
    heard = await chat_in_waves([speakers[at : at + 15] for at in range(0, 150, 15)], sockets)  # 22,500 frames
    assert shortfalls(heard, sent, sockets) == {}, server.log()[-2000:]
    await asyncio.gather(*(ws.close() for ws in sockets))


@REDIS_LAYERS
async def test_a_burst_within_capacity_loses_nothing_and_keeps_each_senders_order(daphne, redis_url, kind):
    # 20 sockets x 20 messages: up to 400 messages wait in one process's channel, under CAPACITY.
    server = daphne(redis_url, kind)
    sockets = [await chat_socket(server, "burst") for _ in range(20)]
    sent = [f"{n}:{k}" for n in range(20) for k in range(20)]

    async def send_twenty(n: int, ws) -> None:
        for k in range(20):
            await ws.send(json.dumps({"message": f"{n}:{k}"}))

    heard, _ = await asyncio.gather(
        hear_all(sockets, len(sent)), asyncio.gather(*(send_twenty(n, ws) for n, ws in enumerate(sockets)))
    )
    assert shortfalls(heard, sent, sockets) == {}, server.log()[-2000:]
    assert [by_sender(messages) for messages in heard] == [{n: list(range(20)) for n in range(20)}] * 20
    await asyncio.gather(*(ws.close() for ws in sockets))


@REDIS_LAYERS
async def test_after_a_redis_restart_new_sockets_connect_and_chat_cleanly(daphne, private_redis, kind):
    server = daphne(private_redis.url, kind)
    # Twenty sockets at once leave about twenty connections in the server's pool.
    warm = await asyncio.gather(*(chat_socket(server, f"before{n}") for n in range(20)))
    await asyncio.gather(*(ws.close() for ws in warm))
    private_redis.stop()
    private_redis.start()  # empty: it kept nothing
    # Twenty new sockets, open together until each has its echo: none closes while another's message is on its
    # way. (A socket that closes cancels its consumer, and the one reading the process's channel in Redis for
    # every socket can take another's message with it, restart or not: django/channels#1683, lesson 05.)
    # Each is opened as the lesson page's client opens it with "reconnect with backoff" ticked: a refused
    # handshake is tried again. Core refuses none; pub/sub may refuse those that race its reconnect (below).
    refused: list[InvalidStatus] = []
    after = await asyncio.gather(*(chat_socket_retrying(server, f"after{n}", refused) for n in range(20)))
    for n, ws in enumerate(after):
        await ws.send(json.dumps({"message": f"after {n}"}))
    for n, ws in enumerate(after):
        try:
            # A connection that was mid-retry may still be backing off (up to ~3.5 s).
            reply = json.loads(await asyncio.wait_for(ws.recv(), FRAME))
        except TimeoutError:
            held = redis_holds(private_redis.url)
            pytest.fail(
                f"socket {n} got no echo after the restart; Redis held:\n{held}\nthe server logged:\n{server.log()[-4000:]}"
            )
        assert reply["message"] == f"after {n}"
    await asyncio.gather(*(ws.close() for ws in after))
    log = server.log()
    # What pub/sub may refuse: channels_redis's receiver reads the shard's connection outside the lock its
    # subscribe() holds, so a subscribe that reconnects while the receiver does too can read the reply the other
    # is waiting for (asyncio's RuntimeError), an HTTP 500 on that handshake. Core refuses none; nothing else
    # may crash on either layer.
    crashes = log.split("Exception inside application")[1:]  # each with its traceback
    assert [crash for crash in crashes if PUBSUB_RECONNECT_RACE not in crash] == [], log[-4000:]
    if kind == "core":
        assert refused == [], (
            f"{len(refused)} handshake(s) after the restart refused; the server logged:\n{log[-4000:]}"
        )
    assert all(error.response.status_code == 500 for error in refused) and len(refused) <= len(crashes), (
        f"{[error.response.status_code for error in refused]} refused, {len(crashes)} race(s) logged:\n{log[-4000:]}"
    )


PUBSUB_RECONNECT_RACE = "readuntil() called while another coroutine is already waiting for incoming data"


async def chat_socket_retrying(server, room: str, refused: list[InvalidStatus], tries: int = 4):
    """chat_socket(), a refused handshake tried again after a back-off (0.5, 1, 2 s), each refusal kept in `refused`."""
    for attempt in range(tries - 1):
        try:
            return await chat_socket(server, room)
        except InvalidStatus as error:
            refused.append(error)
            await asyncio.sleep(0.5 * 2**attempt)
    return await chat_socket(server, room)


def redis_holds(url: str) -> str:
    """Every key with what it holds, and every client with its last command: where a lost message went."""
    with redis.Redis.from_url(url, socket_timeout=FRAME) as client:
        keys = {key.decode(): client.zrange(key, 0, -1, withscores=True) for key in client.keys("*")}
        return f"keys: {keys}\nclients:\n{client.execute_command('CLIENT', 'LIST').decode()}"
