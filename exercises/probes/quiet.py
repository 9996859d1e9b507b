"""Whether anything in this process can still act before the check does: then a frame that has not come never will.

A check waits up to FRAME (10 s) for what must come, so that a slow machine
changes no verdict. But a consumer that will never answer (an untouched starter
that never accepts, a mistake that drops a message) made every such wait run
out: 10 s and more of a student's run, and of every test that runs one. settled() sees
the moment nothing is left that could send: on this event loop no callback is
ready, no timer is set (asyncio.sleep, call_later, wait_for), no socket or pipe
is watched (a Redis connection, a subprocess), and every other thread of the
process sits idle in an executor with no work queued (a sync handler that still
runs, or sleeps, is not idle). Then only the check's next step can make
anything happen, and a wait for a frame may end at once with the verdict its
deadline would have given. Where any of that cannot be read (another kind of
event loop), nothing is settled and the wait runs to its deadline as before.

The probes' own machinery is left out: the heartbeat task and the watchdog
thread of never_blocks(), which it registers (ours(), QUIET_THREADS).
"""

import asyncio
import queue
import sys
import threading
import weakref
from concurrent.futures import thread as executor_threads

QUIET_TASKS: "weakref.WeakSet[asyncio.Task]" = weakref.WeakSet()  # a probe's own tasks: their timers act on nothing
QUIET_THREADS: set[int] = set()  # a probe's own threads (a watchdog), by ident
POLL = 0.01  # how often a wait looks (a must-come wait's answer is not delayed: it ends when the frame comes)
_WAITING = (threading.__file__, queue.__file__)
_IDLE_LINE = "work_queue.get(block=True)"  # an executor thread's wait for work (Python 3.11-3.14)


def ours(task: asyncio.Task) -> asyncio.Task:
    """Leave `task`, a probe's own (never_blocks()'s heartbeat), out of settled()."""
    QUIET_TASKS.add(task)
    return task


def settled() -> bool:
    """True if nothing in this process can act until the check does (see the module's docstring)."""
    loop = asyncio.get_running_loop()
    ready, timers = getattr(loop, "_ready", None), getattr(loop, "_scheduled", None)
    watched, wakeup = getattr(getattr(loop, "_selector", None), "get_map", None), getattr(loop, "_ssock", None)
    if ready is None or timers is None or watched is None or wakeup is None:
        return False  # another kind of loop (Windows' proactor names its IocpProactor _selector, with no get_map)
    waited_on = {task._fut_waiter for task in list(QUIET_TASKS) if not task.done()} - {None}  # noqa: SLF001
    # A copy of each, made in one step: another thread appends to the ready queue (an executor handing back its
    # result with call_soon_threadsafe()), and reading it in place raised "deque mutated during iteration".
    if any(not _of(handle, waited_on) for handle in tuple(ready)):
        return False
    if any(not handle.cancelled() and not _of(handle, waited_on) for handle in tuple(timers)):
        return False
    if set(watched()) - {wakeup.fileno()}:
        return False
    me = threading.get_ident()
    return all(ident == me or ident in QUIET_THREADS or idle(frame) for ident, frame in sys._current_frames().items())


def _of(handle, waited_on: set) -> bool:
    """A handle that only wakes one of QUIET_TASKS: its asyncio.sleep's timer, or its step."""
    args = getattr(handle, "_args", None) or ()
    if args and args[0] in waited_on:
        return True
    return getattr(getattr(handle, "_callback", None), "__self__", None) in QUIET_TASKS


def in_an_executor(frame) -> bool:
    """True if this thread's stack is an executor's worker, busy or idle (a sync handler runs on one)."""
    while frame is not None and frame.f_code is not executor_threads._worker.__code__:  # noqa: SLF001
        frame = frame.f_back
    return frame is not None


def idle(frame) -> bool:
    """True if this thread's stack is an executor's worker waiting for work, and none is queued for it."""
    while frame is not None and frame.f_code.co_filename in _WAITING:
        frame = frame.f_back  # a queue.get() or a Condition.wait() the worker waits in
    if frame is None or frame.f_code is not executor_threads._worker.__code__:  # noqa: SLF001
        return False
    import linecache

    work = frame.f_locals.get("work_queue")
    return (
        work is not None and work.empty() and _IDLE_LINE in linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    )
