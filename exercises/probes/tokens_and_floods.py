"""A token in a socket's first frame (check 11.1).

Check 11.1 refuses every wrong first frame with one close, 4401: closed() is that close (a "reason" beside it
allowed: the check compares the reasons), expired_token() a real token past its age, first_frame() a socket whose
first frame is any text or bytes; two_logins_and_a_silence() and deadline_ends_on_every_path() drive the deadline.
"""

import asyncio
import time

from django.core import signing

from auth_demo.tokens import SALT, sign_user_id
from exercises.probes.communicators import (
    cancelled,
    close_all,
    connect,
    ends_on_disconnect,
    running_tasks,
    sockets,
    tasks_left,
)
from exercises.probes.endings import ends_cancelled
from exercises.probes.waits import frame, nothing_after_close

CLOSED = {"type": "websocket.close", "code": 4401}


def closed(got: object) -> bool:
    """A close with 4401; a "reason" beside it is allowed, if every refusal gives the same one."""
    return isinstance(got, dict) and {k: v for k, v in got.items() if k != "reason"} == CLOSED


def expired_token(user_id: int) -> str:
    """A token for `user_id` signed as auth_demo.tokens signs one, an hour ago: past MAX_AGE, as good as forged."""
    signer = signing.TimestampSigner(salt=SALT, sep=".")
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - 3600)
    return signer.sign_object({"user": user_id})


async def first_frame(application, text: str | bytes) -> tuple:
    """A new socket whose first frame is `text` (bytes: a binary frame), and what came back; nothing after a close.

    The frame goes as the event itself ({"type": "websocket.receive", "text": ...} or "bytes"): the
    communicator's send_to() refuses to send "", and an empty first frame is one a client may send.
    """
    communicator = await connect(application)
    await communicator.send_input({"type": "websocket.receive", type(text).__name__.replace("str", "text"): text})
    if closed(got := await frame(communicator)):
        await nothing_after_close(communicator, 0.1)
    return communicator, got


async def two_logins_and_a_silence(consumer, deadlines: tuple) -> tuple:
    """Three sockets; tokens for users 7 and 9 sent at once on the first and last: (sockets, answers, DEADLINE).

    `consumer(deadline)` is the application. Tried with each deadline in turn until neither answer is the
    deadline's close: a busy machine may let a short deadline pass before a token is read, a longer one not.
    """
    for deadline in deadlines:
        ada, silent, grace = opened = await sockets(consumer(deadline), count=3)
        await asyncio.gather(*(ws.send_json_to({"token": sign_user_id(n)}) for ws, n in ((grace, 9), (ada, 7))))
        if not any(map(closed, got := [await frame(ada), await frame(grace)])):
            break
        await close_all(*opened)
    return opened, got, deadline


async def deadline_ends_on_every_path(consumer) -> None:
    """The deadline ends with its socket: on websocket.disconnect, and when the server cancels the consumer.

    `consumer(deadline)` is the application. A cancelled consumer gets no websocket.disconnect (a Daphne
    shutdown, application_close_timeout): a deadline cancelled only there runs on, a task or a timer
    (loop.call_later, which no task list shows: what it sends after the end is what tells it).
    """
    application, before = consumer(), running_tasks()
    assert await ends_on_disconnect(await connect(application)), (
        "the consumer was still running after websocket.disconnect: with the deadline cancelled in a finally, "
        "websocket_disconnect must still raise StopConsumer() to end the consumer"
    )
    assert not (left := await tasks_left(before)), f"{len(left)} task(s) outlived the socket: cancel the deadline"
    before = running_tasks()
    await ends_cancelled(application)  # and its CancelledError goes on, once the deadline is cancelled
    assert not (left := await tasks_left(before)), (
        f"{len(left)} task(s) still running after the server cancelled the consumer (no websocket.disconnect "
        "comes then, as at a Daphne shutdown): the deadline must end on every path out of the consumer"
    )
    await cancelled(communicator := await connect(consumer(0.2)))
    await asyncio.sleep(0.6)  # well past the deadline, on a busy machine too
    assert communicator.output_queue.empty(), (
        f"the server cancelled the consumer, and DEADLINE (0.2 s) later it still sent "
        f"{communicator.output_queue.get_nowait()}, after the consumer had ended: the deadline must end on every path "
        "out of the consumer, a timer (call_later) as well as a task"
    )
