"""A token in a socket's first frame (check 11.1); a middleware seen from the application it wraps (check 11.3).

Check 11.1 refuses every wrong first frame with one close, 4401: closed() is that close (a "reason" beside it
allowed: the check compares the reasons), expired_token() a real token past its age, first_frame() a socket whose
first frame is any text or bytes; two_logins_and_a_silence() and deadline_ends_on_every_path() drive the deadline.
Check 11.3 calls the student's middleware as a server does, around a spying inner application
(through_the_middleware()) or a crashing one (error_from_inside()), and routes it to which_agent, a consumer
that tells each socket the user agent its scope holds; kept_on() finds a connection's data left on the middleware.
"""

import asyncio
import gc
import time
import warnings

import pytest
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
from exercises.probes.waits import crashed, frame, nothing_after_close

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


async def through_the_middleware(middleware, rule: str, headers: list = (), given: dict | None = None) -> tuple:
    """(the scope the inner application saw, {} if it never ran; its "user_agent"), for `given` or a websocket scope.

    middleware(inner)(scope, receive, send), awaited: what URLRouter and Daphne do with an ASGI 3 application.
    Its TypeError is the server's call failing (`rule` says why); a coroutine never awaited, an inner application
    never run; an error on a scope without headers, a middleware that reads them as if every scope had them.
    """
    given, seen = given or {"type": "websocket", "headers": list(headers)}, {}

    async def inner(scope, receive, send):
        seen.update(scope)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await middleware(inner)(given, None, None)
        except Exception as error:
            if "headers" not in given:  # the student's middleware read a key this scope does not have
                pytest.fail(
                    f"a {given['type']!r} scope, which has no headers, crashed your middleware with "
                    f"{type(error).__name__}: {error}: wrapped around a whole application (uvicorn sends a lifespan "
                    "scope at start) it must pass on every scope, headers or not: read them with "
                    'scope.get("headers", [])',
                    pytrace=False,
                )
            if isinstance(error, TypeError):
                raise AssertionError(f"the server's call crashed: TypeError: {error}. {rule}") from error
            pytest.fail(crashed(error), pytrace=False)  # the student's middleware raised: a crashed handshake
        gc.collect()
    never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert not never_awaited, f"the inner application never ran: RuntimeWarning: {never_awaited[0]}. {rule}"
    return seen, seen.get("user_agent", "no such key")


async def error_from_inside(middleware, scope: dict) -> tuple:
    """(what middleware(inner)(scope, ...) raised, None if nothing; what the inner raised; the user agents it saw).

    The inner application raises a TypeError, what a Channels 2 fallback (`except TypeError:`, then the
    old double call) catches: a middleware calls its application once, and lets its error go on as it was.
    """
    calls, crash = [], TypeError("the consumer crashed")

    async def crashing(scope, receive, send):
        calls.append(scope.get("user_agent"))
        raise crash

    [raised] = await asyncio.gather(middleware(crashing)(scope, None, None), return_exceptions=True)
    return raised, crash, calls


async def which_agent(scope, receive, send):
    """A routed application: it accepts, then answers each frame with the user agent its scope holds."""
    while (event := await receive())["type"] != "websocket.disconnect":
        answer = {"type": "websocket.send", "text": scope.get("user_agent", "missing")}
        await send({"type": "websocket.accept"} if event["type"] == "websocket.connect" else answer)


def kept_on(instance, *shown: str) -> list[tuple]:
    """(name, value) of each attribute of `instance`, on its class or on itself, whose repr shows any of `shown`."""
    held = {**vars(type(instance)), **getattr(instance, "__dict__", {})}
    return [(name, value) for name, value in held.items() if any(text in repr(value) for text in shown)]
