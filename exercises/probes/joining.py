"""A socket in its group the moment it is accepted: the order of a consumer's own join and accept, at any speed."""

import asyncio

from channels.layers import InMemoryChannelLayer

from exercises.probes.communicators import close_all, connect

# Loop turns a held group_add gives the rest of the consumer: a task it started, a gather, an accept sent meanwhile.
# Counted in turns of the event loop, not in seconds, so a busy machine runs exactly the same steps.
HELD_FOR_TURNS = 20


async def in_its_group_once_open(application, path: str = "/") -> None:
    """A socket is in its group the moment it is accepted: its group_add has finished before the accept is sent.

    On the in-memory layer group_add never yields, so a consumer that accepts and
    then joins is in its group by the time any check looks; on Redis the join is
    a round trip, and meanwhile a client whose socket is open hears nothing of its
    room. The contract says a socket is in its room once its handshake completes.

    No clock decides it. Each group_add is held for HELD_FOR_TURNS turns of the event
    loop (anything the consumer started beside it runs meanwhile), and the probe notes,
    at the moment the accept is sent, whether a group_add had finished by then. That
    order is the consumer's own (sync or async), whatever the machine's speed: a check
    that looked at the groups right after the handshake met a sleeping join on a quiet
    machine and a finished one on a busy machine (01.4's accepts_before_joining, CI).
    """
    from unittest import mock

    original = InMemoryChannelLayer.group_add
    joins = {"started": 0, "finished": 0}
    at_accept: dict = {}

    async def group_add(self, group, channel):
        joins["started"] += 1
        for _ in range(HELD_FOR_TURNS):
            await asyncio.sleep(0)
        await original(self, group, channel)
        joins["finished"] += 1

    group_add.__qualname__ = "InMemoryChannelLayer.group_add"  # as a student's server would name it

    async def noted(scope, receive, send):
        async def sending(message):
            if isinstance(message, dict) and message.get("type") == "websocket.accept" and not at_accept:
                at_accept.update(joins)
            await send(message)

        return await application(scope, receive, sending)

    with mock.patch.object(InMemoryChannelLayer, "group_add", group_add):
        communicator = await connect(noted, path)
        await close_all(communicator)
    assert at_accept.get("finished"), (
        "the socket was accepted before it was in its group"
        + (" (its group_add had started, not finished)" if at_accept.get("started") else "")
        + ": join the group before accepting (group_add, awaited to its end). On Redis group_add takes a round "
        "trip, and meanwhile a client that sees its socket open misses what the room says; a socket is in its "
        "room once its handshake completes"
    )
