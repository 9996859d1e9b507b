"""Blocking code met from async code: a slow report held on its thread (02.3); an echo's sends, watched (02.1).

A check here drives a consumer whose handler calls something slow and synchronous, or
sends; these probes hold the slow call where the check can see it, serve the consumer
as Daphne does (a send from another thread refused), and say in a sentence what went wrong.
"""

import asyncio
import itertools
import sys
import threading
import time
from contextlib import asynccontextmanager, contextmanager

import pytest

from exercises.probes.communicators import say
from exercises.probes.endings import CountedSends
from exercises.probes.loop import StallInYourLines, never_blocks
from exercises.probes.quiet import QUIET_THREADS
from exercises.probes.waits import NOTHING, frame, or_settled, reply, until
from harness.patience import FRAME

# --- 02.3: build_report() held on its thread until the check lets it go ---

REPORT = "all systems nominal"  # what build_report() returns, in REPORT_SECONDS (1.0), which the exercise keeps
BUILDS, GIVEN = itertools.count(1), set()  # each report built is numbered; the reports sent: each ask gets its own
LET_GO = threading.Event()  # clear: every report build_report() starts is held until the test lets it go
OFF_THE_LOOP, STARTED = [], []  # sends made off the server's thread; where each build_report() ran, in order
SERVER = {}  # "loop": the server's event loop; "length": seconds each report takes of its clock, when a test says so


def shipped_build_report() -> str:
    """build_report() as the check runs it: it blocks, as shipped, until the test lets it go; each report new.

    Under reports_take_their_length() a report in a thread is not held: it takes its whole length of the event
    loop's clock (took_its_length()), as the shipped one takes a second, without the check waiting that second.
    """
    STARTED.append(where := "the event loop" if threading.current_thread() is threading.main_thread() else "a thread")
    if where == "a thread" and "length" in SERVER:
        took_its_length(SERVER["loop"], SERVER["length"])
    elif where == "a thread":  # on the loop's own thread it cannot wait: the check runs there too
        LET_GO.wait(FRAME * 3)
    return f"{REPORT}, report {next(BUILDS)}"


def took_its_length(loop, seconds: float) -> None:
    """In a report's thread: the loop's clock moved on by `seconds`, and each timer due by then run.

    The clock every asyncio time limit reads (asyncio.timeout, asyncio.wait_for, loop.call_later) is
    loop.time(): moved forward by `seconds` on the loop's next turn, it says the report's whole length
    has passed, counted from a moment after the thread began, as a real report's thread returns a moment
    after its second. Any limit set around the call was set on the loop before that turn (the thread asks
    the loop, which runs the consumer's code first), so a limit of `seconds` or less has always run out
    when the report returns, two turns of the loop later, and a limit well over it never has.
    """
    done = threading.Event()

    def forward() -> None:
        clock = loop.time
        loop.time = lambda: clock() + seconds
        loop.call_soon(loop.call_soon, done.set)  # this turn, the next (timers due now run), then the report ends

    loop.call_soon_threadsafe(forward)
    done.wait(FRAME * 3)


@contextmanager
def reports_take_their_length(seconds: float):
    """Each report built in a thread within the block takes `seconds` of the server's clock (took_its_length())."""
    SERVER["length"] = seconds
    try:
        yield
    finally:
        del SERVER["length"]


def served_with_held_reports(module, consumer: str):
    """`consumer` of `module` with the check's build_report(), each send refused off the server's thread.

    Daphne's socket is not thread-safe: it refuses a send from another thread's event loop, and so
    does this application, noting the send in OFF_THE_LOOP so report_of() can name it. A
    build_report wrapped at import (sync_to_async(build_report, ...) kept in the module) is
    pointed at the check's build_report() too, so the wrapper holds the same way.
    """
    original, module.build_report = module.__dict__.get("build_report"), shipped_build_report
    for held in [v for v in vars(module).values() if type(v).__name__ == "SyncToAsync" and v.func is original]:
        held.func = shipped_build_report

    async def application(scope, receive, send):
        SERVER["loop"] = asyncio.get_running_loop()

        async def checked(message):  # as Daphne needs: a send on the server's event loop, in its thread
            if threading.current_thread() is not threading.main_thread():
                OFF_THE_LOOP.append(str(message)[:80])
                raise RuntimeError("a send from another thread's event loop")
            await send(message)

        return await getattr(module, consumer).as_asgi()(scope, receive, checked)

    return application


@asynccontextmanager
async def reports_held(communicator, asks: int = 1):
    """`asks` reports asked on `communicator`, each held until the block ends, pass or fail; begins once one starts."""
    STARTED.clear()
    LET_GO.clear()
    try:
        await say(communicator, *["report"] * asks)
        await until(lambda: STARTED or not communicator.output_queue.empty())  # a report has started (or come)
        yield
    finally:
        LET_GO.set()


@contextmanager
def held_reports_quiet():
    """Each thread now held in a report (build_report() waiting for the check to let it go) counts as quiet.

    As a probe's own thread does (quiet.py): only the check lets such a thread go, so a wait that finds nothing
    else in the process able to act (settled()) has its verdict at once, not FRAME later.
    """
    held = {ident for ident, stack in sys._current_frames().items() if in_a_report(stack)}
    QUIET_THREADS.update(held)
    try:
        yield
    finally:
        QUIET_THREADS.difference_update(held)


def in_a_report(stack) -> bool:
    """True if this thread's stack (its innermost frame) runs the check's build_report()."""
    while stack is not None and stack.f_code is not shipped_build_report.__code__:
        stack = stack.f_back
    return stack is not None


async def report_of(communicator, where: str) -> None:
    """The next frame on `communicator` is a report of its own, new, sent from the server's event loop."""
    # the report, a send refused, or nothing left that could send
    await until(or_settled(lambda: OFF_THE_LOOP or not communicator.output_queue.empty() or communicator.future.done()))
    assert not OFF_THE_LOOP, (
        f"{where}: the report was sent from a thread of its own ({OFF_THE_LOOP[0]}): send on the server's event loop "
        "(Daphne's socket is not thread-safe); await the thread's result in the handler, then send"
    )
    got = await frame(communicator)
    report = got.get("report") if isinstance(got, dict) else None
    assert isinstance(report, str) and report.startswith(REPORT) and got == {"report": report}, (
        f'{where}: expected the text frame {{"report": <what build_report() returned>}} for "report", got {got}'
    )
    assert report not in GIVEN, f'{where}: the report "{report}" was already sent for an earlier ask: it is stale'
    GIVEN.add(report)


def let_go_once(seen) -> None:
    """In a thread: let the held reports go once `seen()` (a way out that waits for their thread stops the loop)."""
    while not seen() and not LET_GO.wait(0.01):
        pass
    LET_GO.set()


def stalled_long_enough(lag) -> bool:
    """True once `lag` has seen a stall, or the loop has stood still in your code for five times its limit so far.

    A way out that waits for the held report's thread never ends its stall by itself: the held
    reports are let go once it is five times the limit long, so it ends, is measured, and is told.
    """
    pending = lag.pending
    return bool(lag.stall) or (pending is not None and time.monotonic() - pending[0][0] > 5 * lag.limit)


@asynccontextmanager
async def nothing_waits_for_the_thread(way_out: str):
    """Every other socket goes on while a consumer ends `way_out` during its report: 0.5 s, over a busy box's hiccups.

    A way out that waits for the report's thread (a `with ThreadPoolExecutor()` block waits for its
    call to end) stalls the loop; a thread then lets the held reports go, so the test ends and
    says so, instead of hanging for as long as the report is held.
    """
    try:
        async with never_blocks(0.5, advice=False), StallInYourLines(advice=False) as lag:
            threading.Thread(target=let_go_once, args=(lambda: stalled_long_enough(lag),), daemon=True).start()
            yield
    except pytest.fail.Exception as failed:
        why = "nothing may wait for the report's thread: use asyncio.to_thread, or the loop's own executor"
        pytest.fail(f"{way_out} during its report, and {failed}. On the way out {why}", pytrace=False)


# --- 02.1: an echo's frames, each send watched for being made in its handler ---

NOT_AWAITED = "an AsyncConsumer's self.send(...) is a coroutine, and it sends only when awaited"
LATE: list[str | bytes] = []  # the frames whose echo was sent only after websocket_receive() had returned


def watched(consumer: type):
    """`consumer` served, noting in LATE each frame whose echo was not sent by the time websocket_receive() returned."""

    class Watched(CountedSends, consumer):
        async def websocket_receive(self, event):
            before = self.sent
            await super().websocket_receive(event)
            if self.sent == before:
                LATE.append(event["text"] if event.get("text") is not None else event.get("bytes"))

    return Watched.as_asgi()


def sent(frame: str | bytes) -> dict:
    """The websocket.send event that echoes `frame`: text stays "text", bytes stay "bytes"."""
    return {"type": "websocket.send", "text" if isinstance(frame, str) else "bytes": frame}


async def send_frame(communicator, frame: str | bytes) -> None:
    """Send `frame` as a text frame if it is a str, else as a binary frame."""
    await communicator.send_to(**{"text_data" if isinstance(frame, str) else "bytes_data": frame})


async def echoed(communicator, frame: str | bytes, where: str) -> None:
    """`frame` sent on `communicator` comes back unchanged, as the same kind of frame."""
    await send_frame(communicator, frame)
    got = await reply(communicator)
    assert got != NOTHING, f"{where}: nothing came back for {frame!r}: {NOT_AWAITED}"
    assert got == sent(frame), (
        f"{where}: expected {frame!r} back unchanged, got {got}: a text frame goes back as "
        '"text", a binary frame as "bytes", each exactly as it came'
    )
