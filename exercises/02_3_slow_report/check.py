"""Check 02.3 (fix): while one socket waits for its slow report, every other socket of the process goes on.

build_report is left as it was; another socket is answered while a report is being built; a socket that leaves
during its report, or a consumer the server cancels then, leaves no task and nothing kept behind, and nothing waits
for the report's thread on the way out; two sockets asking at once each get their report.
"""

import asyncio
import inspect
import itertools
import threading
from contextlib import asynccontextmanager

import pytest

from exercises.probes import FRAME, NOTHING, answer, cancelled, close_all, crashed, frame, kept_by, never_blocks
from exercises.probes import nothing_kept, reply, running_tasks, say, sockets, StallInYourLines, tasks_left, until

EXERCISE, RULE = "02.3", "One socket's slow report must not hold up any other socket of the process"
REPORT = {"report": "all systems nominal"}
REPORT_SECONDS = 1.0  # build_report()'s time, which the exercise forbids changing
FLOOD = 33  # asks from one socket: more than the threads of any loop's default pool, min(32, CPUs + 4)
BUILDS = itertools.count(1)
GIVEN: set[str] = set()  # the reports already sent: each ask gets one built for it
OFF_THE_LOOP: list[str] = []  # sends made from another thread or loop than the server's
LET_GO = threading.Event()  # clear: every report build_report() starts is held until the test lets it go
STARTED: list[str] = []  # where each build_report() call ran: "a thread", or "the event loop" itself
IDLE: set[int] = set()  # the consumers (by id of their scope) waiting for their next event, no handler running


def shipped_build_report() -> str:
    """build_report() as the check runs it: it blocks, as shipped, until the test lets it go; each report new."""
    where = "the event loop" if threading.current_thread() is threading.main_thread() else "a thread"
    STARTED.append(where)
    if where == "a thread":  # on the loop's own thread it cannot wait: the check runs there too
        LET_GO.wait(FRAME * 3)
    return f"{REPORT['report']}, report {next(BUILDS)}"


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


@pytest.fixture
def app(module):
    """ReportConsumer, build_report() the check's, each send refused off the server's loop, each idle wait noted."""
    original, module.build_report = module.__dict__.get("build_report"), shipped_build_report
    for held in [v for v in vars(module).values() if type(v).__name__ == "SyncToAsync" and v.func is original]:
        held.func = shipped_build_report  # build_report wrapped at import: sync_to_async(build_report, ...)
    inner = module.ReportConsumer.as_asgi()

    async def application(scope, receive, send):
        home = asyncio.get_running_loop()

        async def checked(message):  # as Daphne needs: a send on the server's event loop, in its thread
            if asyncio.get_running_loop() is not home:
                OFF_THE_LOOP.append(str(message)[:80])
                raise RuntimeError("a send from another thread's event loop")
            await send(message)

        async def next_event():  # while it waits here, no handler of this consumer runs
            IDLE.add(id(scope))
            try:
                return await receive()
            finally:
                IDLE.discard(id(scope))

        return await inner(scope, next_event, checked)

    return application


def test_build_report_is_left_as_it_was(module):
    report = module.__dict__.get("build_report")
    assert report is shipped_build_report or (callable(report) and not inspect.iscoroutinefunction(report)), (
        "build_report() is now `async def`: it stands for slow blocking library code you cannot change (a PDF "
        "renderer, an HTTP client); leave it as it was and change how the consumer calls it"
    )
    seconds = getattr(module, "REPORT_SECONDS", REPORT_SECONDS)
    assert seconds == REPORT_SECONDS, (
        f"REPORT_SECONDS is {seconds}, not {REPORT_SECONDS}: a quicker report hides the stall, it does not fix it"
    )


async def report_of(communicator, where: str) -> None:
    await until(lambda: OFF_THE_LOOP or not communicator.output_queue.empty())  # the report, or a send refused
    got = None if OFF_THE_LOOP else await frame(communicator, timeout=FRAME)
    assert not OFF_THE_LOOP, (
        f"{where}: the report was sent from a thread of its own ({OFF_THE_LOOP[0]}): send on the server's event loop "
        "(Daphne's socket is not thread-safe); await the thread's result in the handler, then send"
    )
    report = got.get("report") if isinstance(got, dict) else None
    assert isinstance(report, str) and report.startswith(REPORT["report"]) and got == {"report": report}, (
        f'{where}: expected the text frame {{"report": <what build_report() returned>}} for "report", got {got}'
    )
    assert report not in GIVEN, f'{where}: the report "{report}" was already sent for an earlier ask: it is stale'

    GIVEN.add(report)


async def test_another_socket_is_answered_while_a_report_is_being_built(app):
    slow, other = await sockets(app, count=2)
    async with reports_held(slow):
        await other.send_to(text_data="status")
        on_the_loop = "ran on the event loop itself" if STARTED[:1] == ["the event loop"] else ""  # no wait there
        echo = NOTHING if on_the_loop else await reply(other, timeout=FRAME)
        held = on_the_loop or f"was held {FRAME:.0f} s, and no echo came"
        assert echo != NOTHING, (
            f'one socket asked for its report, the other sent "status"; the report {held}: every socket stood still '
            "while build_report() ran, on the event loop or on the process's one sync thread that every consumer's "
            f"events pass through (django/channels#2132). {RULE}"
        )
    assert echo == {"type": "websocket.send", "text": "status"}, (
        f'expected "status" back on the other socket, got {echo}'
    )
    await report_of(slow, "the socket that asked")
    for text in ("ping", "reports", "Report"):  # frames on either side of "report" are echoed too
        await other.send_to(text_data=text)
        echo = await reply(other)
        assert echo == {"type": "websocket.send", "text": text}, (
            f'expected "{text}" back at once: only "report" asks, got {echo}'
        )
    await close_all(slow, other)


async def test_a_socket_that_leaves_during_its_report_leaves_no_task_behind(app, module):
    before, held = running_tasks(), kept_by(module)
    (communicator,) = await sockets(app, count=1)
    async with reports_held(communicator):
        await communicator.send_input({"type": "websocket.disconnect", "code": 1001})  # the tab went away
        if id(communicator.scope) not in IDLE:  # its handler awaits the report: the disconnect waits for it
            LET_GO.set()
        try:
            await communicator.wait(timeout=FRAME)
        except TimeoutError:
            pytest.fail(f"the consumer still ran {FRAME:.0f} s after its socket closed: raise StopConsumer()", False)
        except Exception as error:  # the student's consumer raised
            pytest.fail(f"after the socket closed, {crashed(error)}", pytrace=False)
        left = await tasks_left(before)  # a report still held keeps a task that awaits it running
    assert not left, (
        f"the socket closed while its report was being built, and {len(left)} task(s) of it still ran: a report handed "
        "to a task (asyncio.create_task, ensure_future) and left outlives its socket; await the thread in the handler"
    )
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    nothing_kept(held, module, "the socket has closed",
                 "Await the thread in the handler, or keep the socket's task on self, which goes with its consumer")  # fmt: skip


def let_go_once(seen) -> None:
    """In a thread: let the held reports go once `seen()` (a way out that waits for their thread stops the loop)."""
    while not seen() and not LET_GO.wait(0.01):
        pass
    LET_GO.set()


async def test_a_consumer_the_server_cancels_during_its_report_leaves_no_task_behind(app):
    before = running_tasks()
    (communicator,) = await sockets(app, count=1)
    async with reports_held(communicator):
        try:  # as Daphne does at shutdown, or after application_close_timeout: every other socket goes on meanwhile
            async with never_blocks(0.5, advice=False), StallInYourLines(advice=False) as lag:  # 0.5 s: a busy box
                threading.Thread(target=let_go_once, args=(lambda: lag.stall,), daemon=True).start()
                await cancelled(communicator)
        except pytest.fail.Exception as failed:  # a `with ThreadPoolExecutor()` block waits for its call to end
            why = "nothing may wait for the report's thread: use asyncio.to_thread, or the loop's own executor"
            pytest.fail(
                f"the server cancelled the consumer during its report, and {failed}. On the way out {why}", False
            )
        left = await tasks_left(before)  # a report still held keeps a task that awaits it running
    assert not left, (
        f"the server cancelled the consumer during its report (as Daphne does at shutdown) and {len(left)} task(s) of "
        "it still ran: a task cancelled only in websocket_disconnect outlives its consumer; stop it in a finally"
    )


async def test_two_sockets_asking_at_once_each_get_their_report(app):
    first, second = await sockets(app, count=2)
    async with reports_held(first, asks=FLOOD):  # one client asks again and again
        # Its asks are as far as they go while held: its consumer took them all, or each it took has its report started.
        await until(lambda: first.input_queue.empty() or 0 < len(STARTED) == FLOOD - first.input_queue.qsize())
        held = len(STARTED)
        await second.send_to(text_data="report")
        assert await until(lambda: len(STARTED) > held or not second.output_queue.empty()), (
            f"the first socket asked for {FLOOD} reports, the second for one, and while {held} of the first's were "
            "held, the second socket's report waited for the first one's: a task per ask lets one client fill every "
            "thread of the loop's pool (min(32, CPUs + 4)); await the thread in the handler, one report a socket"
        )
    await report_of(first, "the first socket")
    await report_of(second, "the second socket")
    assert await answer(second, 0.05) == NOTHING, "one report was asked on the second socket, and more came"
    first.future.cancel()  # the server ends it, as at shutdown: the check has what it asked for
    await close_all(first, second)
