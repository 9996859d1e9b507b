"""Check 02.3 (fix): while one socket waits for its slow report, every other socket of the process goes on.

build_report is left as it was; another socket is answered while a report is being built; a consumer that ends
during its report, its socket closed or the consumer cancelled by the server, leaves no task and nothing kept behind,
and nothing waits for the report's thread on the way out; two sockets asking at once each get their report.
"""

import asyncio
import inspect
import itertools
import threading
from contextlib import asynccontextmanager

import pytest

from exercises.probes import FRAME, NOTHING, WAITED, answer, asks_for_more, cancelled, close_all, connect, frame
from exercises.probes import ends_on_disconnect, kept_by, never_blocks, nothing_kept, running_tasks, say, sockets
from exercises.probes import StallInYourLines, tasks_left, until

EXERCISE, RULE = "02.3", "One socket's slow report must not hold up any other socket of the process"
REPORT = "all systems nominal"  # what build_report() returns, in REPORT_SECONDS (1.0), which the exercise keeps
FLOOD = 33  # asks from one socket: more than the threads of any loop's default pool, min(32, CPUs + 4)
BUILDS, GIVEN = itertools.count(1), set()  # each report built is numbered; the reports sent: each ask gets its own
LET_GO = threading.Event()  # clear: every report build_report() starts is held until the test lets it go
OFF_THE_LOOP, STARTED = [], []  # sends made off the server's thread; where each build_report() ran, in order


def shipped_build_report() -> str:
    """build_report() as the check runs it: it blocks, as shipped, until the test lets it go; each report new."""
    STARTED.append(where := "the event loop" if threading.current_thread() is threading.main_thread() else "a thread")
    if where == "a thread":  # on the loop's own thread it cannot wait: the check runs there too
        LET_GO.wait(FRAME * 3)
    return f"{REPORT}, report {next(BUILDS)}"


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
    """ReportConsumer, build_report() the check's, each send refused off the server's thread (as Daphne refuses it)."""
    original, module.build_report = module.__dict__.get("build_report"), shipped_build_report
    for held in [v for v in vars(module).values() if type(v).__name__ == "SyncToAsync" and v.func is original]:
        held.func = shipped_build_report  # build_report wrapped at import: sync_to_async(build_report, ...)

    async def application(scope, receive, send):
        async def checked(message):  # as Daphne needs: a send on the server's event loop, in its thread
            if threading.current_thread() is not threading.main_thread():
                OFF_THE_LOOP.append(str(message)[:80])
                raise RuntimeError("a send from another thread's event loop")
            await send(message)

        return await module.ReportConsumer.as_asgi()(scope, receive, checked)

    return application


def test_build_report_is_left_as_it_was(module):
    report, seconds = module.__dict__.get("build_report"), getattr(module, "REPORT_SECONDS", 1.0)
    assert report is shipped_build_report or (callable(report) and not inspect.iscoroutinefunction(report)), (
        "build_report() is now `async def`: it stands for slow blocking library code you cannot change (a PDF "
        "renderer, an HTTP client); leave it as it was and change how the consumer calls it"
    )
    assert seconds == 1.0, f"REPORT_SECONDS is {seconds}, not 1.0: a quicker report hides the stall, it does not fix it"


async def report_of(communicator, where: str) -> None:
    await until(lambda: OFF_THE_LOOP or not communicator.output_queue.empty())  # the report, or a send refused
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


async def test_another_socket_is_answered_while_a_report_is_being_built(app):
    slow, other = await sockets(app, count=2)
    async with reports_held(slow):
        await other.send_to(text_data="status")
        on_the_loop = STARTED[:1] == ["the event loop"]  # held nowhere: it ran, and every socket waited for it
        echo = NOTHING if on_the_loop else await frame(other)
        assert echo != NOTHING, (
            f'one socket asked for its report, the other sent "status"; the report '
            f"{'ran on the event loop itself' if on_the_loop else f'was held {WAITED}, and no echo came'}: every "
            "socket stood still while build_report() ran, on the event loop or on the process's one sync thread "
            "that every consumer's events pass through (django/channels#2132)"
        )
    await report_of(slow, "the socket that asked")
    await say(other, "ping", "reports", "Report")  # only "report" asks: frames on either side of it come back
    echoes = [echo, *[await frame(other) for _ in range(3)]]
    assert echoes == ["status", "ping", "reports", "Report"], f'only "report" asks: expected each echoed, got {echoes}'
    await close_all(slow, other)


def let_go_once(seen) -> None:
    """In a thread: let the held reports go once `seen()` (a way out that waits for their thread stops the loop)."""
    while not seen() and not LET_GO.wait(0.01):
        pass
    LET_GO.set()


@pytest.mark.parametrize("way_out", ["its socket closed", "the server cancelled it"])  # as Daphne does at shutdown
async def test_a_consumer_that_ends_during_its_report_leaves_no_task_behind(app, module, way_out):
    before, held, communicator = running_tasks(), kept_by(module), await connect(app)
    async with reports_held(communicator):
        try:  # every other socket goes on meanwhile: 0.5 s, over a busy machine's hiccups
            async with never_blocks(0.5, advice=False), StallInYourLines(advice=False) as lag:
                threading.Thread(target=let_go_once, args=(lambda: lag.stall,), daemon=True).start()
                if way_out == "the server cancelled it":
                    await cancelled(communicator)
                else:
                    if not asks_for_more(communicator):  # its handler awaits the report: the disconnect waits for it
                        LET_GO.set()
                    assert await ends_on_disconnect(communicator, 1001), "the consumer ran on: raise StopConsumer()"
        except pytest.fail.Exception as failed:  # a `with ThreadPoolExecutor()` block waits for its call to end
            why = "nothing may wait for the report's thread: use asyncio.to_thread, or the loop's own executor"
            pytest.fail(f"{way_out} during its report, and {failed}. On the way out {why}", pytrace=False)
        left = await tasks_left(before)  # a report still held keeps a task that awaits it running
    assert not left, (
        f"{way_out} during its report, and {len(left)} task(s) of it still ran: a report handed to a task "
        "(asyncio.create_task, ensure_future) and left outlives its socket, and a task cancelled only in "
        "websocket_disconnect outlives its consumer; await the thread in the handler, or stop the task in a finally"
    )
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    nothing_kept(held, module, way_out, "Await the thread, or keep the socket's task on self")


async def test_two_sockets_asking_at_once_each_get_their_report(app):
    first, second = await sockets(app, count=2)
    async with reports_held(first, asks=FLOOD):  # one client asks again and again
        # Its asks are as far as they go while held: its consumer took them all, or each it took has its report started.
        await until(lambda: first.input_queue.empty() or 0 < len(STARTED) == FLOOD - first.input_queue.qsize())
        held = len(STARTED)
        await second.send_to(text_data="report")
        assert await until(lambda: len(STARTED) > held or not second.output_queue.empty()), (
            f"one socket asked {FLOOD} reports, another one; while {held} were held, the second socket's report "
            "waited for the first one's: a task per ask lets one client fill every thread of the loop's pool"
        )
    await report_of(first, "the first socket")
    await report_of(second, "the second socket")
    assert await answer(second, 0.05) == NOTHING, "one report was asked on the second socket, and more came"
    first.future.cancel()  # the server ends it, as at shutdown: the check has what it asked for
    await close_all(first, second)
