"""Consumers that start at the same moment, kept in step: state one keeps on the class shows on the other every time."""

import asyncio
import contextlib

from harness.patience import FRAME


def suspending(app):
    """`app` whose every send waits a moment, as a real server's write to a slow socket can: others run meanwhile."""

    async def application(scope, receive, send):
        async def suspended(message):
            await asyncio.sleep(0.01)
            await send(message)

        return await app(scope, receive, suspended)

    return application


def meeting(app, parties: int = 2):
    """`app` whose next `parties` consumers meet at their first send (an accept): none goes on until all are there.

    Two consumers whose handshakes start at once each run their connect handler up to
    that send before either goes on, however the machine schedules them. A consumer that
    keeps one socket's state on the class (a user, a room) has then had it overwritten by
    the other before it reads it back: it shows every time. A wait of a few milliseconds
    did not: a busy machine paused the second consumer for longer, and the first read its
    own value back (07.2's user kept on the class passed the check under a loaded proof).

    Only a send made on the consumer's own task waits. A sync consumer (SyncConsumer,
    WebsocketConsumer, JsonWebsocketConsumer) sends through async_to_sync, from a task of
    its own, while it holds asgiref's one sync thread (lesson 02): had it waited, the other
    consumer's handler could never run to its send, and both would wait in vain. It goes
    on at once; its handlers run one after the other anyway, so no other consumer's code
    runs inside one of its handlers. One that never sends lets the others go on after FRAME.
    """
    arrived, everyone = [], asyncio.Event()

    async def application(scope, receive, send):
        first, home = True, asyncio.current_task()

        async def met(message):
            nonlocal first
            if first:
                first = False
                arrived.append(scope)
                if len(arrived) >= parties:
                    everyone.set()
                if asyncio.current_task() is home:  # an async consumer's own handler: hold it till all are there
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(everyone.wait(), FRAME)
            await send(message)

        return await app(scope, receive, met)

    return application
