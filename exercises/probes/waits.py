"""What the consumer sends next, read without waiting out a timer; a crash told as the rule it breaks."""

import asyncio
import json

import pytest

from exercises.probes.crashes import crashed, serves_http
from exercises.probes.quiet import POLL, settled
from exercises.probes.schedstat import stamp
from harness.patience import FRAME

# What answer() returns when its wait ran out. Waits for what must come take FRAME, so that is what it says;
# a wait for silence passes its own short timeout and expects NOTHING, which the student then never reads.
NOTHING = f"nothing within {FRAME:.0f} s"
WAITED = f"{FRAME:.0f} s"  # how long a must-come wait lasted, for a sentence: "no answer within 10 s"


class OwnTime:
    """A wait's `seconds` counted in this thread's own time: each moment it waited for a core is added to them.

    A quiet wait ("nothing more within 0.2 s") ended on the wall clock gave a busy machine's
    verdict: a check process starved of a core for longer than the wait woke with the deadline
    past and the consumer's broadcast, due long before, not yet run, and called a right
    solution silent (16.3's neighbour, the kit's proof beside the suite and a profiler). The
    kernel counts how long a thread sat ready to run with no core to run on (schedstat, as
    the stall checks read it): that time is the machine's, not the consumer's, and the wait
    gets it back. Where schedstat cannot be read, the wait is plain wall time.

    A wait for what must come (FRAME, a liveness deadline, harness/patience.py) keeps the wall
    clock: a right consumer ends it early whatever the machine, and counted in own time the
    proof's starved runs waited out a wrong one's FRAME for over 120 s (pytest-timeout's bound).
    """

    def __init__(self, seconds: float):
        now, waited = stamp()
        self.end, self.waited, self.own = now + seconds, waited, seconds < FRAME

    def left(self) -> float:
        """Seconds still to wait: the deadline, moved on by every wait for a core since a quiet wait began."""
        now, waited = stamp()
        return self.end + (waited - self.waited if self.own else 0.0) - now


async def until(condition, deadline: float = FRAME) -> bool:
    """Wait for `condition()` to hold, looking every 10 ms: True once it does, False at the deadline (OwnTime).

    A verdict must not depend on how fast the machine is: a check waits for the event
    itself (a report started, a queue emptied), and a fast machine never waits long.
    """
    wait = OwnTime(deadline)
    while not condition():
        if wait.left() <= 0:
            return False
        await asyncio.sleep(0.01)
    return True


def or_settled(done):
    """A condition for until(): `done()`, or the process found settled (quiet.py) twice in a row."""
    calm = 0

    def over() -> bool:
        nonlocal calm
        if done():
            return True
        calm = calm + 1 if settled() else 0
        return calm >= 2

    return over


async def answer(communicator, timeout: float = FRAME) -> dict | str:
    """The next event the consumer sends, or NOTHING if it stays silent; a crash fails the check with a sentence.

    The wait ends when the event comes, so a right consumer never waits FRAME. To assert silence
    instead, pass a short `timeout` (`await answer(c, 0.05) == NOTHING`), or use nothing_more().
    On NOTHING the consumer has been cancelled (asgiref's receive_output cancels it when its
    wait runs out): use nothing_more() to assert silence and carry on with the socket.
    """
    if communicator.future.cancelled():  # an earlier wait gave up on a silent consumer and stopped it
        return NOTHING
    try:
        return await next_output(communicator, timeout)
    except TimeoutError:
        return NOTHING
    except Exception as error:  # the student's consumer raised: say so, and which rule that breaks
        pytest.fail(crashed(error, serves_http(communicator)), pytrace=False)


async def next_output(communicator, timeout: float):
    """asgiref's receive_output(timeout), except that the wait also ends when the consumer does.

    receive_output() waits out its whole timeout even when the consumer has already crashed or
    returned, and only then raises its error: a consumer that is gone can send nothing more, so
    this raises its error at once (or TimeoutError, if it ended quietly). A crash is told in
    milliseconds, not after FRAME, and a kept mistake costs the kit's proof no idle wait. So is a
    consumer that waits for its next event with nothing left running that could send (quiet.py's
    settled()): an untouched starter that never accepts fails at once, not FRAME later.
    """
    application = communicator.future
    if application.done():
        application.result()  # raises what the consumer raised, as receive_output() does
    if not communicator.output_queue.empty():
        return communicator.output_queue.get_nowait()
    if application.done():
        raise TimeoutError  # it ended quietly: nothing more will ever come
    sent = asyncio.ensure_future(communicator.output_queue.get())
    wait, calm = OwnTime(timeout), 0
    try:  # in slices of POLL: once nothing is left that could send (settled(), twice), the deadline's verdict is now
        while (left := wait.left()) > 0 and calm < 2:
            await asyncio.wait({sent, application}, timeout=min(POLL, left), return_when=asyncio.FIRST_COMPLETED)
            if sent.done() or application.done():
                break
            calm = calm + 1 if settled() else 0
    finally:
        if not sent.done():
            sent.cancel()
    if sent.done() and not sent.cancelled():
        return sent.result()
    if not communicator.output_queue.empty():  # sent before the consumer ended, and not yet taken by `sent`
        return communicator.output_queue.get_nowait()
    if application.done():
        application.result()
        raise TimeoutError
    application.cancel()  # as receive_output() does when its wait runs out: stop the silent consumer
    try:
        await application
    except asyncio.CancelledError:
        pass
    raise TimeoutError


async def receive_output(communicator, timeout: float = 1):
    """asgiref's ApplicationCommunicator.receive_output() as every check runs it (exercises/conftest.py): next_output()."""
    return await next_output(communicator, timeout)


async def reply(communicator, timeout: float = FRAME) -> dict | str:
    """The next event sent, a key whose value is None left out: ASGI lets a send carry both, the unused one None."""
    got = await answer(communicator, timeout)
    return {key: value for key, value in got.items() if value is not None} if isinstance(got, dict) else got


async def frame(communicator, timeout: float = FRAME) -> object:
    """The next text frame, decoded from JSON; otherwise whatever arrived instead (an event, or NOTHING).

    A text frame whose text is bytes comes back as text_of_bytes()'s sentence, never decoded:
    json.loads() takes bytes too, and no server can send such a frame.
    """
    got = await answer(communicator, timeout)
    if text_of_bytes(got):
        return text_of_bytes(got)
    if isinstance(got, dict) and got.get("type") == "websocket.send" and got.get("text") is not None:
        try:
            return json.loads(got["text"])
        except ValueError:
            return got["text"]
    return got


async def nothing_more(communicator, timeout: float = 0.3) -> bool:
    """True if the consumer sends nothing within `timeout`; a crash fails the check with a sentence."""
    # asgiref's receive_nothing(), which also ends once nothing is left that could send
    await until(or_settled(lambda: not communicator.output_queue.empty() or communicator.future.done()), timeout)
    fail_if_crashed(communicator)
    return communicator.output_queue.empty()


def fail_if_crashed(communicator) -> None:
    """Fail with a sentence if the consumer's task has ended by raising.

    asgiref's receive_nothing() only watches the queue of what the consumer sends, and a
    consumer that crashed sends nothing: without this, a crash during a quiet wait
    (the server's 1011) would pass for the silence a check asked for.
    """
    future = communicator.future
    if future.done() and not future.cancelled() and future.exception() is not None:
        pytest.fail(crashed(future.exception(), serves_http(communicator)), pytrace=False)


def text_of_bytes(got: object) -> str:
    """A sentence if `got` is a websocket.send whose "text" is bytes, or no str at all, which no server can send; else "".

    json.loads() takes bytes too, so a check that decodes the answer would read
    json.dumps(...).encode() as the right frame; Daphne calls .encode() on a text
    frame's text, and the consumer crashes instead (1011). A dict or a list there is
    json.dumps() forgotten: json.loads() would raise TypeError in the check itself.
    """
    if not (isinstance(got, dict) and got.get("type") == "websocket.send" and got.get("text") is not None):
        return ""
    if isinstance(got["text"], bytes | bytearray):
        return (
            f"a frame whose text is bytes ({bytes(got['text'])[:60]!r}): a text frame's text is a str, json.dumps(...) "
            "as it is (Daphne calls .encode() on it, so the consumer crashes and the client hears nothing)"
        )
    if not isinstance(got["text"], str):
        return (
            f"a frame whose text is a {type(got['text']).__name__} ({str(got['text'])[:60]}), not a str: a text "
            "frame carries text, so json.dumps() the object into it (Daphne calls .encode() on it, so the consumer "
            "crashes and the client hears nothing)"
        )
    return ""


# Checks 02.2-04.5 ask for text_frame(), written before frame() refused bytes itself: now the same probe.
text_frame = frame


async def nothing_after_close(communicator, timeout: float = 0.3) -> None:
    """After the consumer closed the socket (or ended an HTTP response), it sends nothing more.

    Waits with receive_nothing(), which leaves the consumer running (receive_output's
    timeout would cancel it), so a later disconnect() still works.
    """
    if not await nothing_more(communicator, timeout):
        got = await communicator.receive_output(timeout=FRAME)  # something is there: nothing_more() saw it
        pytest.fail(f"the consumer sent {got} after the close: nothing may follow a close", pytrace=False)
