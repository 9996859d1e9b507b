"""Sockets a check opens and ends: accepted, from an address, side by side, disconnected or cancelled."""

import asyncio
import itertools

import pytest

from exercises.probes.loading import proved
from exercises.probes.waits import WAITED, crashed, fail_if_crashed, until
from harness.patience import FRAME


async def connect(application, path: str = "/", **kwargs):
    """A socket to `application`, accepted (else the check fails with a sentence); close it with disconnect()."""
    from channels.testing import WebsocketCommunicator

    return await accepted(WebsocketCommunicator(application, path, **kwargs))


async def accepted(communicator):
    """`communicator`'s handshake, which must end accepted: a timeout, a crash or a refusal fails with a sentence."""
    try:  # communicator.connect() as Channels writes it, but for its own assert: never told as the student's crash
        await communicator.send_input({"type": "websocket.connect"})
        response = await communicator.receive_output(FRAME)
    except TimeoutError:
        pytest.fail(f"the consumer did not accept the socket within {WAITED}", pytrace=False)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
    kind = response.get("type") if isinstance(response, dict) else None
    assert kind != "websocket.close", f"expected the socket to be accepted, but it was refused ({response})"
    if kind != "websocket.accept":
        pytest.fail(
            f"the consumer's first event on a new socket was {str(response)[:200]}, before any websocket.accept: a "
            'socket is accepted before anything is sent on it (Daphne raises "Socket has not been accepted, so '
            'cannot send over it" and the client never connects); send {"type": "websocket.accept"} first',
            pytrace=False,
        )
    communicator.response_headers = response.get("headers", [])
    return communicator


# Headers in which a proxy names the client it forwards for, and which any client may send itself.
# Every header some proxy or snippet takes the client's address from (the classic "real IP" code reads
# Client-IP first, then X-Forwarded-For, X-Forwarded, X-Cluster-Client-IP, Forwarded-For, Forwarded).
PROXY_HEADERS = (
    b"x-forwarded-for",
    b"x-real-ip",
    b"forwarded",
    b"true-client-ip",
    b"cf-connecting-ip",
    b"x-client-ip",
    b"client-ip",
    b"x-forwarded",
    b"x-cluster-client-ip",
    b"forwarded-for",
)


async def connect_from(application, address: str, path: str = "/", claims: str = ""):
    """A socket to `application` from a client at `address` (each socket its own port, as a real client's).

    With `claims`, the socket also names that other address in every header of PROXY_HEADERS
    (Forwarded as RFC 7239 writes it, "for=..."), as any client can: a check that counts by
    address then rejects a consumer that believes one of them.
    """
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(application, path)
    communicator.scope["client"] = (address, next(_PORTS))  # the application has not started yet: in time
    if claims:
        said = {b"forwarded": f"for={claims}"}
        communicator.scope["headers"] = [(name, said.get(name, claims).encode()) for name in PROXY_HEADERS]
    return await accepted(communicator)


_PORTS = itertools.count(40000)


async def sockets(application, path: str = "/", count: int = 2, **kwargs) -> list:
    """`count` sockets to `application` open at once: two consumer instances (or more) side by side."""
    opened = [await connect(application, path, **kwargs) for _ in range(count)]
    proved("sockets", count)
    return opened


async def close_all(*communicators) -> None:
    """Disconnect every socket that is still open (a consumer may have closed it already), all at once.

    The waits for the consumers to end overlap, and each ends when its consumer does or asks
    for another event instead (ends_on_disconnect(), which then cancels it): no timer runs out.
    """
    for communicator in communicators:
        fail_if_crashed(communicator)  # ended by raising while nobody read from it
    still_open = [communicator for communicator in communicators if not communicator.future.done()]
    ends = await asyncio.gather(*map(ends_on_disconnect, still_open), return_exceptions=True)
    for end in ends:
        if isinstance(end, Exception):  # the consumer had crashed: say so, and which rule that breaks
            pytest.fail(crashed(end), pytrace=False)


async def cancelled(communicator) -> None:
    """End the consumer the way a server does at shutdown or after application_close_timeout: cancel its task.

    Daphne cancels an application instance that outlives its socket; a consumer
    must clean up then too (leave its groups, stop its tasks), which `except
    Exception` does not catch and `finally` does.
    """
    import asyncio

    communicator.future.cancel()
    try:
        await asyncio.wait_for(asyncio.shield(communicator.future), FRAME)
    except (asyncio.CancelledError, TimeoutError, Exception):  # the consumer's own end, whatever it was
        pass
    await asyncio.sleep(0)  # let callbacks its clean-up scheduled run
    proved("cancellation")


def asks_for_more(communicator) -> bool:
    """True if the consumer has taken every event sent to it and waits for the next one (asgiref's input queue)."""
    events = communicator.input_queue
    return events.empty() and any(not getter.done() for getter in events._getters)


async def ends_on_disconnect(communicator, code: int = 1000, held: int = 0) -> bool:
    """Send websocket.disconnect with `code`: True once the consumer has ended, False if it asks for more instead.

    A consumer that took its websocket.disconnect and waits for another event never ends (Daphne
    cancels it application_close_timeout later, 10 s, and logs it): that shows the moment it asks,
    so neither a right consumer nor a wrong one waits out a timer, and a slow machine changes no
    verdict; one that does neither within FRAME is still running too. With `held`, one that sends
    that many frames while the disconnect waits unread is a handler that loops and holds back its
    socket's events: False too. One that did not end is cancelled, as Daphne does. What the
    consumer raised is raised here, as asgiref's disconnect() does.
    """
    await communicator.send_input({"type": "websocket.disconnect", "code": code})
    future, sent, events = communicator.future, communicator.output_queue.qsize(), communicator.input_queue

    def holds_back() -> bool:
        return bool(held) and not events.empty() and communicator.output_queue.qsize() - sent >= held

    # FRAME as it is now, not as until() bound it: tests/course/test_exercises_probes_waits.py lowers it.
    await until(lambda: future.done() or asks_for_more(communicator) or holds_back(), FRAME)
    if future.done():
        if not future.cancelled():
            future.result()  # raises what the consumer raised
        return not future.cancelled()
    future.cancel()
    await asyncio.wait({future}, timeout=FRAME)  # its clean-up (a finally) runs, as it does when Daphne cancels it
    return False


async def warm_up(application, path: str = "/") -> None:
    """One socket opened and closed before any loop lag is measured: first imports and threads take time.

    A file that crashes here is told in the test that meets the crash, with a sentence. The layer is
    flushed after, so the warm-up's socket leaves no member in any group.
    """
    from channels.layers import get_channel_layer
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(application, path)
    try:
        await communicator.connect(timeout=FRAME)
        await communicator.disconnect(timeout=FRAME)
    except BaseException:
        pass
    await get_channel_layer().flush()


def members(group: str) -> set[str]:
    """The channels in `group` on the current in-memory channel layer."""
    from channels.layers import get_channel_layer

    return set(get_channel_layer().groups.get(group, {}))


async def member_of(group: str) -> str:
    """A channel of the layer's own, in `group`: it reads what the group hears without a consumer (queued())."""
    from channels.layers import get_channel_layer

    await get_channel_layer().group_add(group, channel := await get_channel_layer().new_channel())
    return channel


def queued(channel: str) -> list:
    """The messages waiting for `channel` on the in-memory layer now, taken without waiting."""
    from channels.layers import get_channel_layer

    queue, taken = get_channel_layer().channels.get(channel), []
    while queue is not None and not queue.empty():
        taken.append(queue.get_nowait()[1])
    return taken


def running_tasks() -> set:
    """Every asyncio task of this loop now: take it before a socket opens, compare after it ends."""
    import asyncio

    return set(asyncio.all_tasks())


async def tasks_left(before: set, wait: float = 0.3) -> list:
    """Tasks started since `before` still running: one being cancelled FRAME on, one nobody stopped `wait` on.

    A task its consumer cancelled is on its way out: its clean-up may take a slow machine long,
    so it is waited for up to FRAME (the wait ends once it has ended). A task nobody cancelled
    (a tick loop, a deadline's timer) outlives its socket: the short `wait` only lets one that
    ends by itself at once (a loop told to stop by an Event) do so.
    """
    import asyncio

    me = asyncio.current_task()
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        left = [task for task in running_tasks() - before if task is not me and not task.done()]
        if not left or loop.time() >= started + (FRAME if all(t.cancelling() for t in left) else wait):
            return left
        await asyncio.sleep(0.02)


async def say(communicator, *texts: str) -> None:
    """Send each of `texts` as a text frame, in order (a flood, a chat)."""
    for text in texts:
        await communicator.send_to(text_data=text)


def errors_in(got: list) -> list:
    """The frames of `got` that are {"error": <a non-empty string>}: the refusals of a limit."""
    return [f for f in got if isinstance(f, dict) and isinstance(f.get("error"), str) and f["error"]]


def messages_in(got: list) -> list:
    """The "message" of each frame of `got` that has one: what a room heard."""
    return [f.get("message") for f in got if isinstance(f, dict) and "message" in f]
