"""The event loop watched: a stall or a time.sleep in your code fails the check, naming your line."""

import re
import sys
import time
from pathlib import Path

import pytest

from exercises.probes.loading import proved
from exercises.probes.quiet import QUIET_THREADS, ours
from exercises.probes.schedstat import others_waited, stamp
from exercises.targets import CHECKED_FILES


class LoopLag:
    """Watches the event loop from a second thread: a stall over `limit` in the code under check fails the check.

    A heartbeat task stamps the time every 10 ms; a watchdog thread looks every
    10 ms, and when the stamp is older than `limit` it reads the loop thread's
    stack (sys._current_frames). The stall counts only when the file under
    check is on that stack: a machine busy with other work delays the heartbeat
    too, but then the loop is not in the student's code, and the check must not
    blame it. The message names the line that blocked.

    A busy machine also stops the loop thread in the student's own lines: it is
    ready to run and waits for a core. Linux counts that wait per thread
    (/proc/thread-self/schedstat), and each heartbeat stamps it too, so a stall
    is judged when it has ended, by its length less the time the thread waited
    for a core: a blocking call (sleeping, waiting on I/O) or work done on the
    loop counts, a core given to another process does not. (Beside a CPU hog,
    the checks once refused correct solutions for stalls of 72-171 ms at lines
    that block nothing.) The loop thread may also sleep waiting for Python's
    GIL, held by another thread of the process (asgiref's sync thread running
    a query) that a busy machine has stopped: then that thread's wait for a
    core is the stall's cause, and the longest such wait of another thread is
    given back too. (Beside twelve busy loops, 2 of 24 runs of 08.3's check on
    its solution stalled 71 ms at `await save_entry(...)` without it.) Where
    the counts cannot be read, the whole stall counts.
    """

    def __init__(self, limit: float = 0.05, advice: bool = True):
        self.limit = limit
        self.advice = advice  # False: the message names the stall, not the remedy (a fix exercise's point)
        self.stall: tuple[float, str] | None = None  # the longest stall seen in checked code, and where

    async def __aenter__(self):
        import asyncio
        import threading

        self.loop_thread, self.quiet_threads = threading.get_ident(), {threading.get_native_id()}
        self.beat = self._stamp()
        self.pending: tuple[tuple, str] | None = None  # a stall in checked code, not ended yet
        self.stop = threading.Event()
        self.task = ours(asyncio.create_task(self._beat()))  # its timer wakes nothing a consumer waits for
        self.watchdog = threading.Thread(target=self._watch, daemon=True)
        self.watchdog.start()
        self.quiet_threads.add(self.watchdog.native_id)  # it holds the GIL for microseconds: not a cause
        QUIET_THREADS.add(self.watchdog.ident)
        await asyncio.sleep(0)
        return self

    async def _beat(self):
        import asyncio

        while True:
            self.beat = self._stamp()  # on the loop thread, which runs now: its waits for a core so far are counted
            await asyncio.sleep(0.01)

    def _stamp(self) -> tuple[float, float, dict[str, float]]:
        """stamp(), and how long each other thread of the process has waited for a core so far."""
        return (*stamp(), others_waited(self.quiet_threads))

    @staticmethod
    def blamed(frame) -> str | None:
        """Where a stall is blamed: your file's line on the loop's stack, if any (in_checked_code())."""
        return in_checked_code(frame)

    def _watch(self):
        while not self.stop.wait(0.01):
            beat = self.beat
            if self.pending is not None and self.pending[0] is not beat:
                self._ended(beat)
            if time.monotonic() - beat[0] > self.limit and self.pending is None:
                where = self.blamed(sys._current_frames().get(self.loop_thread))
                if where:
                    self.pending = (beat, where)

    def _ended(self, now: tuple[float, float, dict[str, float]]) -> None:
        """The pending stall has ended at `now`: it counts for its length less the waits for a core that caused it."""
        (began, waited_before, others_before), where = self.pending
        self.pending = None
        others = max((waited - others_before.get(tid, 0.0) for tid, waited in now[2].items()), default=0.0)
        stalled = (now[0] - began) - (now[1] - waited_before) - others
        if stalled > self.limit and (self.stall is None or stalled > self.stall[0]):
            self.stall = (stalled, where)

    async def __aexit__(self, *exc):
        self.stop.set()
        self.task.cancel()
        self.watchdog.join(1)
        QUIET_THREADS.discard(self.watchdog.ident)
        if self.pending is not None:
            self._ended(self._stamp())  # on the loop thread: the stall, if one was pending, is over
        if exc[0] is None:
            if self.stall is not None and SLEEP_CALL.search(self.stall[1]):
                # The stalled line is a time.sleep: say so as never_sleeps() does, whatever the stall's length. A
                # short sleep stretched past the limit by a busy machine must get the same words as on a quiet one.
                pytest.fail(slept_on_the_loop(self.stall[1], self.advice), pytrace=False)
            if self.stall is not None:
                remedy = (
                    "; await asyncio.sleep(), or run the blocking call in a thread (sync_to_async, "
                    "database_sync_to_async)"
                )
                pytest.fail(
                    f"the event loop stalled for {self.stall[0] * 1000:.0f} ms in your code ({self.stall[1]}): a "
                    "blocking call in async code stops every socket of the process" + (remedy if self.advice else ""),
                    pytrace=False,
                )
            proved("no blocking")


def in_checked_code(frame) -> str | None:
    """ "where.py, line 12: time.sleep(1)" for the innermost frame of a checked file on this stack, else None."""
    import linecache

    while frame is not None:
        # Module-level code is the file being imported (target() inside the block), not async code.
        if frame.f_code.co_filename in CHECKED_FILES and frame.f_code.co_name != "<module>":
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            return f"{Path(frame.f_code.co_filename).name}, line {frame.f_lineno}: {line}"
        frame = frame.f_back
    return None


def never_blocks(limit: float = 0.05, advice: bool = True) -> LoopLag:
    """`async with never_blocks(): ...` fails the check if your code holds the event loop over `limit` seconds.

    advice=False leaves the remedy out of the message, where finding it is the exercise.
    """
    return LoopLag(limit, advice)


# A line of the student's that calls time.sleep, however imported (`sleep(...)`), and not asyncio.sleep.
SLEEP_CALL = re.compile(r"(?<![\w.])(time\.)?sleep\(")


def slept_on_the_loop(where: str, advice: bool = True) -> str:
    said = (
        f"time.sleep ran on the event loop in your code ({where}): while it sleeps, every socket of "
        "the process stands still, however short the sleep"
    )
    return said + ("; in async code, await asyncio.sleep()" if advice else "")


class NeverSleeps:
    """Sees every time.sleep called on this thread from the file under check (never_sleeps())."""

    def __init__(self):
        self.slept: list[str] = []

    def _profile(self, frame, event, arg):
        if event == "c_call" and arg is time.sleep:
            where = in_checked_code(frame)
            if where and where not in self.slept:
                self.slept.append(where)

    def __enter__(self):
        self.previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self.previous)
        if exc[0] is None and self.slept:
            pytest.fail(slept_on_the_loop(self.slept[0]), pytrace=False)

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, *exc):
        self.__exit__(*exc)


def never_sleeps() -> NeverSleeps:
    """`with never_sleeps():` (or `async with`) fails the check if your code calls time.sleep on the loop, however briefly.

    never_blocks() judges a stall by its length, with room for a busy machine; a
    time.sleep(0.2) "to let the last send flush" fits in that room and still stops
    every socket of the process for 0.2 s. This sees the call itself, made from
    the file under check on the loop's thread (`from time import sleep` too).
    """
    return NeverSleeps()


def stalled_in_your_lines(frame) -> str | None:
    """in_checked_code() of the innermost frame outside the standard library, if that frame is in your file; else None.

    A blocking wait called from your line sits in the standard library (threading.py) or in C
    (select.select, time.sleep), so the first frame outside the standard library is yours.
    """
    import sysconfig

    stdlib = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib")})
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith(stdlib) or "-packages" in name:  # site-packages may sit under the stdlib's folder
            return in_checked_code(frame) if name in CHECKED_FILES else None
        frame = frame.f_back
    return None


class StallInYourLines(LoopLag):
    """never_blocks(), blaming a stall over `limit` only when your own lines hold the loop: a tight limit for them.

    `async with never_blocks(0.5), StallInYourLines():` around what drives a consumer's way out (a clean
    close, a cancellation) fails the check with "the event loop stalled for 204 ms in your code (solution.py,
    line 36: threading.Event().wait(0.2)): ..." for any blocking wait over `limit` in your file: a
    threading.Event().wait(), a select.select(), a lock's acquire(), a time.sleep (never_sleeps() sees
    that one however short). The consumer's whole stack runs under your __call__, so never_blocks()
    blames any stall while the consumer runs, a pause inside Channels on a busy machine too, and needs
    room (0.5 s) that a 0.2 s wait fits in. This one blames a stall only when the innermost frame outside
    the standard library is your file's.
    """

    def __init__(self, limit: float = 0.08, advice: bool = True):
        super().__init__(limit, advice)

    @staticmethod
    def blamed(frame) -> str | None:
        return stalled_in_your_lines(frame)
