"""What every check imports: the module under check, and small probes that say what went wrong in a sentence.

Each check drives `target("NN.K")`: the student's file in the exercise's
folder, the reference solution (meta/solution.py) when EXERCISE_TARGET=solution,
or any other file the kit names (EXERCISE_TARGET="NN.K=/path/to/file.py,...":
a classic mistake applied to the solution). Assertion messages are written for
a student: what was expected, what arrived, and the rule a wrong answer breaks.

Nothing here imports the course: a check stands on Channels, Django, this file, exercises/targets.py
(which file a check drives, shared with the kit without pytest) and harness/patience.py (how long to wait).
"""

import asyncio
import itertools
import json
import os
import re
import sys
import time
from collections import deque
from contextlib import contextmanager
from functools import cache
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest
from channels.layers import InMemoryChannelLayer

from exercises.targets import (  # noqa: F401 (what a check imports from here)
    CHECKED_FILES,
    EXERCISES_DIR,
    PROOF_VARIABLE,
    REPO_DIR,
    STARTERS_VARIABLE,
    TARGET_VARIABLE,
    folder,
    student_file,
    target,
    target_path,
)
from harness.patience import FRAME  # noqa: F401 (a frame that must come: a check waits up to FRAME for it)

# What answer() returns when its wait ran out. Waits for what must come take FRAME, so that is what it says;
# a wait for silence passes its own short timeout and expects NOTHING, which the student then never reads.
NOTHING = f"nothing within {FRAME:.0f} s"
WAITED = f"{FRAME:.0f} s"  # how long a must-come wait lasted, for a sentence: "no answer within 10 s"


def imported_afresh(exercise_id: str, rule: str, environ: dict | None = None) -> ModuleType:
    """The module under check imported again, as a new server process imports it (with `environ` set, if given).

    Nothing module-level is shared with earlier imports: only what lives outside
    the process (Django's cache, the database) is. A module that raises at
    import fails the check with `rule` in the message.
    """
    from unittest import mock

    load(exercise_id, rule)  # a file that does not import at all fails here, with the usual sentence
    path = target_path(exercise_id)
    name = f"exercise_{exercise_id.replace('.', '_')}_process_{next(_PROCESSES)}"
    module = module_from_spec(spec_from_file_location(name, path))
    with mock.patch.dict(os.environ, environ or {}):
        try:
            module.__spec__.loader.exec_module(module)
        except Exception as error:  # a student's file may raise anything at import
            started = " with " + ", ".join(f"{k}={v}" for k, v in environ.items()) if environ else ""
            pytest.fail(
                f"a server started{started} could not even start: your file raised {type(error).__name__}: "
                f"{error}. {rule}",
                pytrace=False,
            )
    return module


_PROCESSES = itertools.count(1)


def load(exercise_id: str, rule: str) -> ModuleType:
    """The module under check; a module that raises at import fails the check with `rule` in the message."""
    try:
        return target(exercise_id)
    except Exception as error:  # a student's file may raise anything at import
        pytest.fail(f"{rule}. Your file does not import: {type(error).__name__}: {error}", pytrace=False)


def crashed(error: BaseException) -> str:
    """A sentence for an exception that escaped the student's code, naming the rule it breaks."""
    name = type(error).__name__
    text = f"your code raised {name}: {str(error).rstrip('.')}".rstrip(": ")
    if name == "SynchronousOnlyOperation":
        return f"{text}; the ORM is synchronous: query inside a database_sync_to_async function, list() included"
    if isinstance(error, TypeError) and "await" in str(error):
        return f"{text}; an AsyncConsumer's handlers must be `async def`, and every send awaited"
    if "AsyncToSync" in str(error) or "loop is already running" in str(error):
        return f"{text}; in async code, await the coroutine itself: async_to_sync is for synchronous callers only"
    if isinstance(error, ValueError) and str(error).startswith("No handler for message type"):
        return f'{text}; a message\'s "type" names its handler: "chat.message" calls chat_message()'
    if "redis" in type(error).__module__:
        return (
            f"{text}; when Redis fails, answer as the exercise asks (a channel layer's failure: close the socket "
            "with 4503, lesson 05), do not crash it (1011)"
        )
    return (
        f"{text}; a consumer must not crash (that closes the socket with 1011): "
        'bad input gets what the exercise says, an {"error": ...} frame or a close code'
    )


async def until(condition, deadline: float = FRAME) -> bool:
    """Wait for `condition()` to hold, looking every 10 ms: True once it does, False at the liveness deadline.

    A verdict must not depend on how fast the machine is: a check waits for the event
    itself (a report started, a queue emptied), and a fast machine never waits long.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not condition():
        if loop.time() >= end:
            return False
        await asyncio.sleep(0.01)
    return True


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
        pytest.fail(crashed(error), pytrace=False)


async def next_output(communicator, timeout: float):
    """asgiref's receive_output(timeout), except that the wait also ends when the consumer does.

    receive_output() waits out its whole timeout even when the consumer has already crashed or
    returned, and only then raises its error: a consumer that is gone can send nothing more, so
    this raises its error at once (or TimeoutError, if it ended quietly). A crash is told in
    milliseconds, not after FRAME, and a kept mistake costs the kit's proof no idle wait.
    """
    application = communicator.future
    if application.done():
        application.result()  # raises what the consumer raised, as receive_output() does
    if not communicator.output_queue.empty():
        return communicator.output_queue.get_nowait()
    if application.done():
        raise TimeoutError  # it ended quietly: nothing more will ever come
    sent = asyncio.ensure_future(communicator.output_queue.get())
    try:
        await asyncio.wait({sent, application}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not sent.done():
            sent.cancel()
    if sent.done() and not sent.cancelled():
        return sent.result()
    if application.done():
        application.result()
        raise TimeoutError
    application.cancel()  # as receive_output() does when its wait runs out: stop the silent consumer
    try:
        await application
    except asyncio.CancelledError:
        pass
    raise TimeoutError


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
    try:
        quiet = await communicator.receive_nothing(timeout=timeout)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
    fail_if_crashed(communicator)
    return quiet


def fail_if_crashed(communicator) -> None:
    """Fail with a sentence if the consumer's task has ended by raising.

    asgiref's receive_nothing() only watches the queue of what the consumer sends, and a
    consumer that crashed sends nothing: without this, a crash during a quiet wait
    (the server's 1011) would pass for the silence a check asked for.
    """
    future = communicator.future
    if future.done() and not future.cancelled() and future.exception() is not None:
        pytest.fail(crashed(future.exception()), pytrace=False)


# --- behavioural probes: what students get wrong, each a small function a check calls --------
#
# Each probe also notes what it proved (proved()), so a pass can say what it means:
# "passed: 5 behaviours, 2 sockets at once, 41 bad frames, cancellation, no blocking".


def proved(kind: str, amount: int = 1) -> None:
    """Note that this check proved `kind` ("sockets", "bad frames", "cancellation", "no blocking", "boundaries")."""
    log = os.environ.get(PROOF_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps({"kind": kind, "amount": amount}) + "\n")


async def connect(application, path: str = "/", **kwargs):
    """A socket to `application`, accepted (else the check fails with a sentence); close it with disconnect()."""
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(application, path, **kwargs)
    try:
        connected, code = await communicator.connect(timeout=FRAME)
    except TimeoutError:
        pytest.fail(f"the consumer did not accept the socket within {WAITED}", pytrace=False)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
    assert connected, f"expected the socket to be accepted, but it was refused (close code {code})"
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
    try:
        connected, code = await communicator.connect(timeout=FRAME)
    except TimeoutError:
        pytest.fail(f"the consumer did not accept the socket within {WAITED}", pytrace=False)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
    assert connected, f"expected the socket to be accepted, but it was refused (close code {code})"
    return communicator


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


class LoopLag:
    """Watches the event loop from a second thread: a stall over `limit` in the code under check fails the check.

    A heartbeat task stamps the time every 10 ms; a watchdog thread looks every
    10 ms, and when the stamp is older than `limit` it reads the loop thread's
    stack (sys._current_frames). The stall counts only when the file under
    check is on that stack: a machine busy with other work delays the heartbeat
    too, but then the loop is not in the student's code, and the check must not
    blame it. The message names the line that blocked.
    """

    def __init__(self, limit: float = 0.05, advice: bool = True):
        self.limit = limit
        self.advice = advice  # False: the message names the stall, not the remedy (a fix exercise's point)
        self.stall: tuple[float, str] | None = None  # the longest stall seen in checked code, and where

    async def __aenter__(self):
        import asyncio
        import threading

        self.beat = time.monotonic()
        self.loop_thread = threading.get_ident()
        self.stop = threading.Event()
        self.task = asyncio.create_task(self._beat())
        self.watchdog = threading.Thread(target=self._watch, daemon=True)
        self.watchdog.start()
        await asyncio.sleep(0)
        return self

    async def _beat(self):
        import asyncio

        while True:
            self.beat = time.monotonic()
            await asyncio.sleep(0.01)

    @staticmethod
    def blamed(frame) -> str | None:
        """Where a stall is blamed: your file's line on the loop's stack, if any (in_checked_code())."""
        return in_checked_code(frame)

    def _watch(self):
        while not self.stop.wait(0.01):
            late = time.monotonic() - self.beat
            if late > self.limit:
                where = self.blamed(sys._current_frames().get(self.loop_thread))
                if where and (self.stall is None or late > self.stall[0]):
                    self.stall = (late, where)

    async def __aexit__(self, *exc):
        self.stop.set()
        self.task.cancel()
        self.watchdog.join(1)
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


def examples(strategy, count: int = 30) -> list:
    """`count` values drawn by Hypothesis from `strategy`, the same on every run (no example database)."""
    from hypothesis import HealthCheck, Phase, given, settings

    found = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value):
        found.append(value)

    collect()
    return found


def json_values():
    """A Hypothesis strategy for every JSON value: null, booleans, numbers, text (multi-byte too), lists, objects."""
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    )


def bad_frames(key: str, good: object = "hello", extra: tuple = (), generated: int = 20) -> list[str]:
    """Text frames a consumer expecting {key: <a string like `good`>} must refuse: every shape but the right one.

    Not JSON, every JSON type in place of the object, an object without the key,
    the key with every wrong type and empty, multi-byte and escaped text, and
    `generated` JSON values drawn by Hypothesis (0: none, and no Hypothesis
    import); `extra` adds the exercise's own. Drawn once per process. No empty
    frame: WebsocketCommunicator.send_to cannot send one (send_input can).
    """
    return list(_bad_frames(key, json.dumps(good), tuple(extra), generated))


@cache
def _bad_frames(key: str, good_json: str, extra: tuple, generated: int) -> tuple[str, ...]:
    good = json.loads(good_json)
    shapes = [" ", "not json", "{", '{"' + key + '": ', "[1, 2", "nan", "NaN", "\u00e9t\u00e9"]
    shapes += [
        json.dumps(v) for v in (None, True, False, 0, 1, -1.5, 1e308, "text", "", [], [key], {}, {"other": good})
    ]
    shapes += [json.dumps({key: v}) for v in (None, True, 1, 2.5, [], [good], {}, {"x": good}, "")]
    shapes += ['{"' + key + '": "\\ud800"}']  # a lone surrogate: valid JSON text, no UTF-8 string
    if generated:
        from hypothesis import strategies as st

        def right(value) -> bool:
            return isinstance(value, dict) and isinstance(value.get(key), str) and bool(value.get(key))

        never_a_text = json_values().filter(lambda v: not (isinstance(v, str) and v))  # an empty one may stay
        strategy = json_values().filter(lambda v: not right(v)) | st.fixed_dictionaries({key: never_a_text})
        shapes += [json.dumps(v) for v in examples(strategy, generated)]
    return tuple(dict.fromkeys([*shapes, *extra]))


async def refused_with_error(communicator, text: str, others=()) -> dict:
    """Send one bad frame: the sender gets {"error": <text>}, the socket stays open, no other socket hears a thing."""
    await communicator.send_to(text_data=text)
    got = await frame(communicator)
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"], (
        f'bad input {text[:60]!r} must get {{"error": "<why>"}} on its own socket, got {got}'
    )
    for other in others:
        assert await nothing_more(other, 0.05), f"bad input {text[:60]!r} reached another socket"
    return got


async def nothing_after_close(communicator, timeout: float = 0.3) -> None:
    """After the consumer closed the socket (or ended an HTTP response), it sends nothing more.

    Waits with receive_nothing(), which leaves the consumer running (receive_output's
    timeout would cancel it), so a later disconnect() still works.
    """
    try:
        quiet = await communicator.receive_nothing(timeout=timeout)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
    fail_if_crashed(communicator)
    if not quiet:
        got = await communicator.receive_output(timeout=FRAME)  # something is there: nothing_more() saw it
        pytest.fail(f"the consumer sent {got} after the close: nothing may follow a close", pytrace=False)


# --- login throttles (lesson 16): the passwords Django checks, and a cache that is down ------


class PasswordsChecked(list):
    """The usernames whose password Django checked, in order."""

    window_ends = False  # True: the cache empties during each check, as when a counter's window ends mid-hash


@contextmanager
def passwords_checked():
    """Counts the passwords Django checks (ModelBackend.authenticate, whatever calls it); the cache empty around it."""
    from unittest import mock

    from django.contrib.auth.backends import ModelBackend
    from django.core.cache import cache as django_cache

    checked, original = PasswordsChecked(), ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        if checked.window_ends:
            django_cache.clear()
        return original(self, request, username, password, **kwargs)

    django_cache.clear()
    with mock.patch.object(ModelBackend, "authenticate", counted):
        yield checked
    django_cache.clear()


@contextmanager
def cache_down():
    """Every call to Django's default cache raises what Django's Redis cache raises with Redis down."""
    from unittest import mock

    from django.core.cache import caches
    from redis.exceptions import ConnectionError as RedisConnectionError

    down = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    calls = ("get", "set", "add", "incr", "decr", "delete", "get_many", "set_many", "has_key", "touch", "get_or_set")
    # On the class: each thread has a cache object of its own, and a consumer may count in a thread.
    with mock.patch.multiple(type(caches["default"]), **dict.fromkeys(calls, mock.DEFAULT)) as patched:
        for call in patched.values():
            call.side_effect = down
        yield


def tally(replies: list) -> str:
    """How many times each answer came: '5 x {"error": "a"}, 5 x {"error": "b"}'."""
    from collections import Counter

    return ", ".join(f"{n} x {answer}" for answer, n in Counter(json.dumps(r) for r in replies).items())


def login_bad_frames() -> list[str]:
    """Frames a login expecting {"username": "...", "password": "..."} must refuse: every shape but that one."""
    frames = ["not json", "{", *map(json.dumps, (None, True, 0, -1.5, "ada", [], ["ada", "pw"], {}))]
    frames += [json.dumps(shape) for shape in ({"username": "ada"}, {"password": "pw"}, {"other": "ada"})]
    frames += [json.dumps({"username": value, "password": "pw"}) for value in (None, 1, ["ada"], {"x": "ada"})]
    frames += [json.dumps({"username": "ada", "password": value}) for value in (None, 1.5, ["pw"], True)]
    return frames + ['{"username": "\\ud800", "password": "pw"}', '{"username": "ada", "password": "\\udfff"}']


# queries_by_thread()'s key for the SQL of database_sync_to_async(..., thread_sensitive=False), on any of its threads
DATABASE_SYNC_TO_ASYNC_POOL = "database_sync_to_async's pool"


@contextmanager
def queries_by_thread():
    """The SQL run meanwhile, by thread: with the ORM where it belongs, none on the loop and one thread for all.

    Django refuses a query on the loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set, whenever
    and however briefly: then the query runs, and blocks the loop, and shows here.
    database_sync_to_async, sync_to_async and the async ORM all run on Django's one
    sync thread, the check's own queries too; asyncio.to_thread or a pool adds threads.
    One pool is right: database_sync_to_async(f, thread_sensitive=False), which lesson 08
    offers for work safe to run in parallel, closes stale connections around each call
    on whichever of its threads runs it, so its queries are kept under one key,
    DATABASE_SYNC_TO_ASYNC_POOL.
    """
    import threading
    from unittest import mock

    from channels.db import DatabaseSyncToAsync
    from django.db.backends.utils import CursorWrapper

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    ran: dict[int | str, list[str]] = {}
    original = CursorWrapper._execute_with_wrappers
    original_handler = DatabaseSyncToAsync.thread_handler
    pooled = threading.local()  # a database_sync_to_async(..., thread_sensitive=False) call runs on this thread

    def recorded(self, sql, *args, **kwargs):
        key = DATABASE_SYNC_TO_ASYNC_POOL if getattr(pooled, "depth", 0) else threading.get_ident()
        ran.setdefault(key, []).append(sql)
        return original(self, sql, *args, **kwargs)

    def thread_handler(self, loop, *args, **kwargs):
        in_a_pool = not getattr(self, "_thread_sensitive", True)  # asgiref's own attribute
        pooled.depth = getattr(pooled, "depth", 0) + in_a_pool
        try:
            return original_handler(self, loop, *args, **kwargs)
        finally:
            pooled.depth -= in_a_pool

    try:
        with (
            mock.patch.object(CursorWrapper, "_execute_with_wrappers", recorded),
            mock.patch.object(DatabaseSyncToAsync, "thread_handler", thread_handler),
        ):
            yield ran
    finally:  # a consumer that set it must not change how the next check runs
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def orm_where_it_belongs(ran: dict[int | str, list[str]], advice: str) -> None:
    """Fail, saying `advice`, if queries_by_thread() saw SQL on the event loop's thread, or on more than one thread.

    database_sync_to_async's pool (thread_sensitive=False) counts as no thread of its own.
    """
    import threading

    on_the_loop = ran.pop(threading.get_ident(), [])
    assert not on_the_loop, (
        f"a query ran on the event loop's own thread ({on_the_loop[0][:60]}...): DJANGO_ALLOW_ASYNC_UNSAFE, set at "
        f"any moment, only hides Django's error, and every such query blocks every socket of the process. {advice}"
    )
    ran.pop(DATABASE_SYNC_TO_ASYNC_POOL, None)  # its threads close stale connections around each call
    assert len(ran) <= 1, (
        f"the queries ran on {len(ran)} threads: asyncio.to_thread or a pool of your own runs the ORM on threads "
        "that each open a database connection nothing closes (so does sync_to_async(f, thread_sensitive=False)); "
        "database_sync_to_async runs it on Django's one sync thread, or on a pool with thread_sensitive=False, "
        f"and closes stale connections around each call. {advice}"
    )


@contextmanager
def queries_told_first(ran: dict[int | str, list[str]], advice: str):
    """Whatever fails inside, a query on the event loop (or on threads of its own) is said first: it is the cause.

    On a busy machine such a query can stall the loop past never_blocks()' limit before the
    check gets to ask where the queries ran; the student must hear the same rule either way.
    """
    try:
        yield
    except BaseException:
        orm_where_it_belongs(dict(ran), advice)
        raise


def suspending(app):
    """`app` whose every send waits a moment, as a real server's write to a slow socket can: others run meanwhile.

    One bare yield (sleep(0)) was not always enough for a second consumer that starts at
    the same time to get as far: 10 ms always is, and a student's consumer that keeps
    one socket's state on the class then shows it every time, not only now and then.
    """

    async def application(scope, receive, send):
        async def suspended(message):
            await asyncio.sleep(0.01)
            await send(message)

        return await app(scope, receive, suspended)

    return application


class LoopWatchingLayer(InMemoryChannelLayer):
    """The in-memory layer, refusing a group call made on any event loop but the server's (the one it was made on)."""

    def __init__(self, **config):
        super().__init__(**config)
        self.home_loop = asyncio.get_running_loop()  # made by the first consumer (or the check), on the server's loop

    def refuse_another_loop(self, call: str) -> None:
        if asyncio.get_running_loop() is not self.home_loop:
            raise RuntimeError(
                f"{call} ran on an event loop of its own (asyncio.run, or a loop made in a thread), not the "
                "server's: the layer's queues and Redis connections belong to the server's loop, and from "
                "synchronous code async_to_sync(...)(...) is what runs a layer call there"
            )

    async def group_send(self, group, message):
        self.refuse_another_loop("group_send")
        await super().group_send(group, message)

    async def group_discard(self, group, channel):
        self.refuse_another_loop("group_discard")
        await super().group_discard(group, channel)

    # Python's "never awaited" warning names the coroutine: name each as a student's server would.
    group_send.__qualname__ = "InMemoryChannelLayer.group_send"
    group_discard.__qualname__ = "InMemoryChannelLayer.group_discard"


@contextmanager
def cache_slow(delay: float = 0.1):
    """Every call to Django's default cache takes `delay` seconds, as a Redis across a busy network does.

    Called on the event loop (no sync_to_async around it), each call stalls every
    socket of the process for that long: never_blocks() around the code then says where.
    """
    from unittest import mock

    from django.core.cache import caches

    calls = ("get", "set", "add", "incr", "decr", "delete", "get_many", "set_many", "has_key", "touch", "get_or_set")
    kind = type(caches["default"])  # on the class: each thread has a cache object of its own

    def slowed(original):
        def call(*args, **kwargs):
            time.sleep(delay)
            return original(*args, **kwargs)

        return call

    with mock.patch.multiple(kind, **{name: slowed(getattr(kind, name)) for name in calls}):
        yield


@contextmanager
def reads_meet(threads: int = 2):
    """The first cache read of each of `threads` sync threads returns only once all of them have read (FRAME at most).

    Two server processes that read a count, then write it back, lose a count only if both
    read before either writes. On a busy machine one process may be done before the
    other starts, and a check would pass the get-then-set it is there to reject: this
    makes the two processes' first reads meet every time, as they can in production.
    A read on the event loop's own thread is not held (that would stall every socket).
    """
    import threading
    from unittest import mock

    from django.core.cache import caches

    kind = type(caches["default"])
    met = threading.Condition()
    arrived: set[int] = set()

    def meeting(original):
        def call(*args, **kwargs):
            value = original(*args, **kwargs)  # read first, then wait: both values are read before either returns
            me = threading.get_ident()
            on_the_loop = asyncio._get_running_loop() is not None
            with met:
                if not on_the_loop and me not in arrived and len(arrived) < threads:
                    arrived.add(me)
                    met.notify_all()
                    met.wait_for(lambda: len(arrived) >= threads, timeout=FRAME)
            return value

        return call

    with mock.patch.multiple(kind, **{name: meeting(getattr(kind, name)) for name in ("get", "get_many", "has_key")}):
        yield


def imported_with_a_sync_thread(exercise_id: str, rule: str) -> ModuleType:
    """imported_afresh(), its consumers running their sync_to_async work on a thread of their own: a process's.

    In one process every thread-sensitive sync_to_async call runs on one thread, one
    call at a time, so two imports of a file still take turns there. Two real server
    processes do not: each has its own sync thread, and a read then a write of Django's
    cache (a get, then a set) in one can interleave with the other's.
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import ThreadSensitiveContext

    module = imported_afresh(exercise_id, rule)
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=module.__name__)

    def as_asgi(original):
        def made(*args, **kwargs):
            application = original(*args, **kwargs)

            async def served(scope, receive, send):
                async with ThreadSensitiveContext(executor=thread):
                    return await application(scope, receive, send)

            return served

        return made

    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "as_asgi"):
            value.as_asgi = as_asgi(value.as_asgi)
    return module


@contextmanager
def slow_broadcasts(delay: float = 0.01):
    """The in-memory layer's group_send taking `delay` s, as a Redis round trip does: other sockets run meanwhile.

    In memory a group_send never yields, so code that judges a limit before it awaits the
    broadcast and counts after it looks right; on Redis, every other socket's message is
    judged during that await, against a count that is already stale.
    """
    from unittest import mock

    original = InMemoryChannelLayer.group_send

    async def group_send(self, group, message):
        await asyncio.sleep(delay)
        await original(self, group, message)

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield


@contextmanager
def uneven_broadcasts(delays: tuple = (0.1, 0.05, 0.0)):
    """The in-memory layer's group_send taking round trips of uneven length, in turn: the first of each three the longest.

    On Redis each group_send is a round trip on one connection of a pool, and one
    can take longer than the next. A consumer that awaits each broadcast before
    it reads the next frame delivers one sender's messages in order whatever they
    take; one that starts each as a task and moves on (asyncio.ensure_future,
    create_task, run_coroutine_threadsafe) lets a later message overtake an earlier one.
    The steps are 50 ms apart: a busy machine would have to hold the consumer that
    long between two frames already queued for a task started and left to stay in order.
    """
    from unittest import mock

    original = InMemoryChannelLayer.group_send
    turns = itertools.cycle(delays)

    async def group_send(self, group, message):
        await asyncio.sleep(next(turns))
        await original(self, group, message)

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield


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


class BroadcastsAwaited:
    """Sees each group_send that runs on after the handler that started it returned (broadcasts_awaited())."""

    def __init__(self):
        import contextvars

        self.handling = contextvars.ContextVar("handling")  # the event being handled, copied into every task it starts
        self.late: list[str] = []  # whose handler returned before its broadcast had finished ("websocket.receive's")
        self.homes: set = set()  # the task each consumer runs in: what its own __call__ awaits is awaited too

    def watched(self, consumer: type) -> type:
        """`consumer`, its dispatch() noting which event is being handled while each handler runs."""
        probe = self

        class Watched(consumer):
            async def __call__(self, scope, receive, send):
                probe.homes.add(asyncio.current_task())  # a clean-up in __call__'s finally runs here, awaited
                return await super().__call__(scope, receive, send)

            async def dispatch(self, message):
                handling = {"type": message.get("type"), "running": 0, "returned": False}
                token = probe.handling.set(handling)
                try:
                    await super().dispatch(message)
                finally:
                    probe.handling.reset(token)
                    handling["returned"] = True
                    if handling["running"] and f"{handling['type']}'s" not in probe.late:
                        probe.late.append(f"{handling['type']}'s")

        Watched.__name__ = Watched.__qualname__ = consumer.__name__
        return Watched


@contextmanager
def broadcasts_awaited(delay: float = 0.01):
    """The in-memory layer's group_send taking a round trip, and a probe that sees one left running by its handler.

    `with broadcasts_awaited() as probe:` serve `probe.watched(Consumer).as_asgi()`;
    afterwards `probe.late` names each event whose handler returned while a
    group_send it started was still running, or before that group_send began:
    one handed to a task (asyncio.ensure_future, create_task, a queue another
    task empties, run_coroutine_threadsafe without .result()). Such a broadcast
    keeps its order only by luck or by a chain of tasks, and its error (ChannelFull,
    a Redis that went away) reaches no handler: the socket stays open, and the
    message is lost without a trace.
    """
    from unittest import mock

    probe = BroadcastsAwaited()
    original = InMemoryChannelLayer.group_send

    async def group_send(self, group, message):
        handling = probe.handling.get(None)
        if handling is None and asyncio.current_task() in probe.homes:  # awaited by the consumer's own __call__
            handling = {"running": 0}
        elif handling is None or handling["returned"]:  # started by a task its handler did not wait for
            late = f"{handling['type']}'s" if handling else "it ran outside every handler, unawaited"
            if late not in probe.late:
                probe.late.append(late)
            handling = {"running": 0}
        handling["running"] += 1
        try:
            await asyncio.sleep(delay)
            await original(self, group, message)
        finally:
            handling["running"] -= 1

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield probe


async def in_its_group_once_open(application, path: str = "/", delay: float = 0.02) -> None:
    """A socket opened while each group_add takes a round trip (as on Redis) is in a group the moment it is accepted.

    On the in-memory layer group_add never yields, so a consumer that accepts and
    then joins is in its group by the time any check looks; on Redis the join is
    a round trip, and meanwhile a client whose socket is open hears nothing of its
    room. The contract says a socket is in its room once its handshake completes.
    """
    from unittest import mock

    from channels.layers import get_channel_layer

    original = InMemoryChannelLayer.group_add

    async def group_add(self, group, channel):
        await asyncio.sleep(delay)
        await original(self, group, channel)

    def joined() -> set:
        return {(group, channel) for group, channels in get_channel_layer().groups.items() for channel in channels}

    with mock.patch.object(InMemoryChannelLayer, "group_add", group_add):
        before = joined()
        communicator = await connect(application, path)
        now = joined() - before
        await close_all(communicator)
    assert now, (
        "the socket was accepted before it was in its group: join the room (group_add, run to its end) before "
        "accepting. On Redis group_add takes a round trip, and meanwhile a client that sees its socket open misses "
        "what the room says; a socket is in its room once its handshake completes"
    )


async def ends_cancelled(application, path: str = "/") -> None:
    """A consumer the server cancels must end cancelled: its CancelledError raised again after its clean-up.

    One that catches CancelledError and passes (or returns in a finally) ends as if it had
    finished, so a server, an asyncio.timeout() or a TaskGroup waiting for it to stop cannot
    tell it was stopped. leaves_however_it_ends() only looks at what the consumer left behind.
    """
    (communicator,) = await sockets(application, path, count=1)
    await cancelled(communicator)
    future = communicator.future
    error = future.exception() if future.done() and not future.cancelled() else None
    ended = "is still running" if not future.done() else f"ended with {error!r}" if error else "returned"
    assert future.cancelled(), (
        f"the server cancelled your consumer, and its task {ended}: a CancelledError caught and not raised again "
        "(an except that passes or returns, a return in a finally) swallows the cancellation, so a server, an "
        "asyncio.timeout() or a TaskGroup waiting for it to stop cannot tell it was stopped; clean up in a finally "
        "and let the CancelledError go on"
    )


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


# --- what a socket leaves behind: the module's and the classes' own containers --------------


def kept_by(module) -> dict[str, int]:
    """How much each dict, list, set, deque or unbounded functools.cache of `module` and of its own classes holds.

    Taken before sockets open and again once they have gone (grown_since()): what a socket
    puts in the module or on a class stays after it, one more for every socket the server
    ever served, until the process runs out of memory.
    """
    found = {}
    for name, value in vars(module).items():
        inside = vars(value).items() if isinstance(value, type) and value.__module__ == module.__name__ else ()
        for where, held in [(name, value), *((f"{name}.{key}", item) for key, item in inside)]:
            if isinstance(held, dict | list | set | deque) and not where.rpartition(".")[2].startswith("__"):
                found[where] = len(held)
            elif callable(getattr(held, "cache_info", None)) and held.cache_info().maxsize is None:
                found[where] = held.cache_info().currsize
    return found


def grown_since(before: dict[str, int], module) -> str:
    """'TICKERS holds 2 more item(s)' for each place of kept_by(module) that holds more than `before` said; else ""."""
    now = kept_by(module)
    grown = {where: size - before.get(where, 0) for where, size in now.items() if size > before.get(where, 0)}
    return ", ".join(f"{where} holds {more} more item(s)" for where, more in grown.items())


async def failure_not_swallowed(communicator, failure: str, who: str, harm: str, wrong: str) -> None:
    """After `failure` (a layer or a database error the check caused), `who` must learn of it.

    The error let through (the consumer crashes, the socket closes with 1011) or an
    {"error": ...} frame: either tells the client. Silence, or an answer holding `wrong`
    (the success's own key), is an error swallowed (checks 06.3, 08.2). Told, the socket is closed here.
    """
    try:
        got = await frame(communicator)
    except pytest.fail.Exception:  # the error went through: the socket closes with 1011, and the client knows
        return
    told = f"heard nothing within {WAITED}" if got == NOTHING else f"was told {got}"
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and wrong not in got, (
        f"{failure}, and {who} {told}: {harm}. Let the error through (the socket closes with 1011) or answer "
        '{"error": ...}; never swallow it'
    )
    await close_all(communicator)


# --- a message passed on as it was sent, a layer that is down (checks 01.4, 04.3, 04.5) ------------------------

# A chat message as a client may send it: spaces around it, markup, an ampersand, line breaks, emoji (one beyond
# the BMP). Check 06.2's announcement, made a probe: a room passes it on unchanged, never trimmed or escaped.
AS_SENT = "  tea & cake <b>now</b>:\n\u2615 at 5 \U0001f389\n"


def passed_on_unchanged(got: object, who: str, sent: str = AS_SENT) -> None:
    """Fail with a sentence unless `got` (a decoded frame) is {"message": sent}, more keys allowed."""
    message = got.get("message") if isinstance(got, dict) else got
    assert message == sent, (
        f"{sent!r} was sent to the room and {who}'s socket received {got}: a room passes a message on as it was "
        "sent, its spaces, line breaks, <, & and emoji too; escaping is the job of the page that shows it "
        "(textContent, Django's templates), and trimming is no one's"
    )


def layer_down(monkeypatch, call: str):
    """A switch that makes the channel layer's `call` ("group_send", "group_discard") raise as a Redis that is down.

    Made before the consumer connects, so a method the student's code bound earlier (a wrapper
    made in connect(), async_to_sync(self.channel_layer.group_send) kept on self) is the
    check's stand-in too; it calls through until the returned function is called, which
    turns the outage on and returns it in words, for the check's sentence (checks 01.4, 04.5).
    """
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    working = getattr(layer, call)
    outage = []

    async def stand_in(*args, **kwargs):
        if outage:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return await working(*args, **kwargs)

    monkeypatch.setattr(layer, call, stand_in)

    def down() -> str:
        outage.append(call)
        return f"the layer's {call} raised ConnectionError (its Redis is down)"

    return down


# --- a failure told as what it is, never as another (checks 05.4, 07.3) ---------------------


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
    told = f"heard nothing within {WAITED}" if got == NOTHING else f"was told {got}"
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


# --- a consumer's end after its socket's, told by events and never by a timer (issue 47) --------------------


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
