"""Contracts every consumer of a kind keeps: it leaves its groups, ends cancelled, tells a failure truly."""

import asyncio

import pytest

from exercises.probes.communicators import (
    cancelled,
    close_all,
    ends_on_disconnect,
    members,
    running_tasks,
    sockets,
    tasks_left,
)
from exercises.probes.loop import never_blocks
from exercises.probes.waits import NOTHING, WAITED, frame
from harness.patience import FRAME


async def leaves_however_it_ends(application, group: str, stall: float = 0.05, path: str = "/") -> None:
    """Two sockets join `group`; one disconnects, the server cancels the other: neither stays, no task is left.

    Then a socket closes without a goodbye, as when its network dropped (1006) or its tab
    went away (1001): it leaves too, whatever the close code.
    """
    before = running_tasks()
    async with never_blocks(stall):
        alice, bob = await sockets(application, path)
        assert len(members(group)) == 2, f"expected both sockets in {group!r} once accepted, got {members(group)}"
        await alice.disconnect(timeout=FRAME)
        await asyncio.sleep(0.05)
        assert len(members(group)) == 1, f"a socket that disconnected is still in {group!r}: leave it then"
        await cancelled(bob)
        assert not members(group), (
            f"the server cancelled the consumer (shutdown, or application_close_timeout) and its channel stayed in "
            f"{group!r}: no websocket.disconnect comes then, so leaving only in websocket_disconnect is not enough"
        )
        for code in (1006, 1001):
            (communicator,) = await sockets(application, path, count=1)
            mine = set(members(group))
            await ends_on_disconnect(communicator, code)
            await asyncio.sleep(0.05)
            assert not mine & members(group), (
                f"a socket that closed with {code} is still in {group!r}: a socket leaves however it closes, "
                "whatever its close code, not only on a clean 1000"
            )
    assert not await tasks_left(before), "a task the consumer started is still running after it ended"


async def leaves_when_the_server_send_fails(application, group: str, path: str = "/") -> None:
    """A socket joins `group`, then the server's send() raises OSError: its consumer ends with it, and has left.

    ASGI has a server raise an OSError from send() on a connection that has gone; neither a
    websocket.disconnect nor a cancel comes then, so a clean-up in websocket_disconnect or in an
    `except CancelledError` never runs. The socket's own text frame is the room's message its
    consumer then fails to send.
    """
    gone = asyncio.Event()

    async def server(scope, receive, send):  # the ASGI server around the consumer: its send() fails once `gone`
        async def sending(message):
            if gone.is_set() and message.get("type") == "websocket.send":
                raise OSError("the client has gone: send() on a closed connection (a check's server)")
            await send(message)

        await application(scope, receive, sending)

    before = set(members(group))
    (communicator,) = await sockets(server, path, count=1)
    mine = members(group) - before
    gone.set()
    await communicator.send_to(text_data="hello")  # the room's message comes back to it: its send() raises
    await asyncio.wait({communicator.future}, timeout=FRAME)
    ended = communicator.future.done()
    if ended and not communicator.future.cancelled():
        communicator.future.exception()  # its OSError, as the server would log it: retrieved, never warned about
    else:
        await ends_on_disconnect(communicator)  # it carried on: then it ends as a client leaves
    assert not (ended and mine & members(group)), (
        f"the server's send() raised OSError (as a server does once the client has gone), your consumer ended with "
        f"it, and its channel stayed in {group!r}: neither websocket.disconnect nor a cancel comes then, so a "
        "clean-up in websocket_disconnect or in an `except CancelledError` misses it; a finally around the whole "
        "consumer misses no way out"
    )


async def ends_cancelled(application, path: str = "/") -> None:
    """A consumer the server cancels must end cancelled: its CancelledError raised again after its clean-up.

    One that catches CancelledError and passes (or returns in a finally) ends as if it had
    finished, so a server, an asyncio.timeout() or a TaskGroup waiting for it to stop cannot
    tell it was stopped. leaves_however_it_ends() only looks at what the consumer left behind.
    """
    (communicator,) = await sockets(application, path, count=1)
    await cancelled(communicator)
    ended_cancelled(communicator)


def ended_cancelled(communicator) -> None:
    """Fail unless the consumer of `communicator`, cancelled (cancelled()), ended cancelled (ends_cancelled())."""
    future = communicator.future
    error = future.exception() if future.done() and not future.cancelled() else None
    ended = "is still running" if not future.done() else f"ended with {error!r}" if error else "returned"
    assert future.cancelled(), (
        f"the server cancelled your consumer, and its task {ended}: a CancelledError caught and not raised again "
        "(an except that passes or returns, a return in a finally) swallows the cancellation, so a server, an "
        "asyncio.timeout() or a TaskGroup waiting for it to stop cannot tell it was stopped; clean up in a finally "
        "and let the CancelledError go on"
    )


def heard(got: object) -> str:
    """What the client heard, for a sentence: "heard nothing within 10 s" or "was told {...}"."""
    return f"heard nothing within {WAITED}" if got == NOTHING else f"was told {got}"


async def failure_not_swallowed(communicator, failure: str, who: str, harm: str, wrong: str) -> None:
    """After `failure` (a layer or a database error the check caused), `who` must learn of it.

    The error let through (the consumer crashes, the socket closes with 1011) or an
    {"error": ...} frame: either tells the client. Silence, or an answer holding `wrong`
    (the success's own key), is an error swallowed (checks 06.3, 08.2, 08.3); so is {"error": ""}, str() of an
    exception raised bare, which tells the client nothing. Told, the socket is closed here.
    """
    try:
        got = await frame(communicator)
    except pytest.fail.Exception:  # the error went through: the socket closes with 1011, and the client knows
        return
    told = heard(got)
    error = got.get("error") if isinstance(got, dict) else None
    assert error != "", (
        f"{failure}, and {who} {told}: an error frame with no text tells nothing (str() of an exception raised "
        'bare is ""). Let the error through (the socket closes with 1011) or answer {"error": "<what went wrong>"}'
    )
    assert isinstance(error, str) and wrong not in got, (
        f"{failure}, and {who} {told}: {harm}. Let the error through (the socket closes with 1011) or answer "
        '{"error": ...}; never swallow it'
    )
    await close_all(communicator)


async def failure_told_truly(communicator, failure: str, who: str, untrue: str, harm: str, wrong: str = "") -> None:
    """After `failure` (one the check caused), `who` hears of it, and not as the refusal `untrue` names.

    The error let through (the socket closes with 1011, and the server logs it), a close, or an
    {"error": "<text>"} frame whose text is not empty and does not say `untrue` ("full", "invalid
    username or password"): a failure told as another sends the client after the wrong fix. An
    answer holding `wrong` (the success's own key) is the failure swallowed. Told, the socket is closed here.
    """
    try:
        got = await frame(communicator)
    except pytest.fail.Exception:  # the error went through: the socket closes with 1011, and the log has it
        return
    if isinstance(got, dict) and got.get("type") == "websocket.close":
        return
    error = got.get("error") if isinstance(got, dict) else None
    told = heard(got)
    said = isinstance(error, str) and untrue.lower() in error.lower()
    if said:
        why = f"{harm}. Catch only the exception that means {untrue!r} and let any other through"
    elif error == "":
        why = "an error frame with no text tells nothing (str() of an exception raised bare is ''): write the reason"
    else:
        why = "the failure was swallowed. Let it through"
    assert isinstance(error, str) and error.strip() and not said and not (wrong and wrong in got), (
        f"{failure}, and {who} {told}: {why} (the socket closes with 1011, the server logs it) or answer "
        '{"error": "<what went wrong>"}'
    )
    await close_all(communicator)


async def ends_when_the_client_leaves(communicator, sent: str) -> None:
    """After `sent`, the client goes away (http.disconnect): the HTTP consumer ends, with no exception.

    A raw consumer with no http_disconnect handler raises ValueError ("No handler for message
    type http.disconnect"), which the server logs as a crash for every client that gives up.
    """
    await communicator.send_input({"type": "http.disconnect"})
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)
    communicator.future.cancel()
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    ended = f"raised {type(error).__name__}: {error}" if error else f"was still running {WAITED} later"
    assert done and error is None, (
        f"{sent}, then the client went away (http.disconnect), and the consumer {ended}: a client may leave at "
        "any moment, mid-body too; handle it (async def http_disconnect) and end there: raise StopConsumer"
    )


async def your_test_fails_and_ends_its_sockets(run, broken: type, why: str) -> None:
    """`run(broken)` runs the student's test on a broken consumer: it fails with an AssertionError, leaving none running.

    The failure is held while the check looks, as pytest holds it to report it: a test that
    disconnects only once every assertion passed leaves its consumers running (checks 09.1, 09.3).
    """
    before = running_tasks()
    try:
        await run(broken)
    except AssertionError as error:
        failure = error  # held, with your test's frames and communicators, as pytest holds it to report it
    except (Exception, asyncio.CancelledError) as error:
        pytest.fail(
            f"your test raised {type(error).__name__} ({error}) on {broken.__name__}, a broken consumer ({why}): "
            "expected an AssertionError naming what came back wrong (a timeout, or an error of your test's own "
            "clean-up, hides it)",
            pytrace=False,
        )
    else:
        pytest.fail(f"your test passed on {broken.__name__}, a broken consumer: {why}", pytrace=False)
    left = await tasks_left(before)
    said = f": {failure}" if str(failure) else ""
    assert not left, (
        f"your test failed on {broken.__name__} ({why}), as it should, with AssertionError{said}; and the consumers "
        "it started were still running after it: your test disconnects only when every assertion passes. Put the "
        "assertions in try: and the disconnects in finally:, so a failing test ends every socket it opened too"
    )


class CountedSends:
    """Put before a student's consumer class: `self.sent` counts what it has sent, to tell a send made in a handler.

    A send handed to a task (asyncio.ensure_future(self.send(...))) has not happened when the
    handler returns: a subclass compares self.sent before and after calling the handler.
    """

    async def __call__(self, scope, receive, send):
        self.sent = 0

        async def counted(message):
            self.sent += 1
            await send(message)

        await super().__call__(scope, receive, counted)


def generic_base(cls) -> str | None:
    """The first of Channels' generic consumers `cls` is built on ("channels.generic.websocket.WebsocketConsumer"), or None.

    WebsocketConsumer is a SyncConsumer and AsyncWebsocketConsumer an AsyncConsumer, so issubclass() cannot
    tell a raw consumer from a generic one, whose own handlers write the event dicts a raw one's task asks for.
    """
    from channels.consumer import AsyncConsumer, SyncConsumer

    raw = (SyncConsumer, AsyncConsumer)
    found = [c for c in getattr(cls, "__mro__", ()) if c.__module__.startswith("channels.") and c not in raw]
    return f"{found[0].__module__}.{found[0].__name__}" if found else None
