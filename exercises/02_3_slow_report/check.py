"""Check 02.3 (fix): while one socket waits for its slow report, every other socket of the process goes on.

The task's rules, in its order: 1 build_report is left as it was; 2 "report" gets a new report of its own, other
frames are echoed; 3 another socket is answered while a report is being built; 4 a report that takes its whole
second (of the loop's clock) is answered; 5 a consumer that ends during its report, its socket closed or the consumer
cancelled by the server, leaves no task and nothing kept behind, and nothing waits for the report's thread on the way
out; 6 two sockets asking at once each get their report. Then the standard battery ([battery.rules]).
"""

import asyncio
import inspect

import pytest

from exercises.probes import NOTHING, answer, asks_for_more, cancelled, close_all, connect, crashed
from exercises.probes import ends_on_disconnect
from exercises.probes import frame, kept_by, nothing_kept, running_tasks, say, sockets, tasks_left, until
from exercises.probes.sync_and_async import LET_GO, STARTED, held_reports_quiet, nothing_waits_for_the_thread
from exercises.probes.sync_and_async import report_of, reports_held
from exercises.probes.sync_and_async import reports_take_their_length, served_with_held_reports, shipped_build_report
from exercises.probes.waits import or_settled

EXERCISE, RULE = "02.3", "One socket's slow report must not hold up any other socket of the process"
FLOOD = 33  # asks from one socket: more than the threads of any loop's default pool, min(32, CPUs + 4)


@pytest.fixture
def app(module):
    """ReportConsumer, build_report() the check's (held until let go), each send refused off the server's thread."""
    return served_with_held_reports(module, "ReportConsumer")


@pytest.mark.rule(1)
def test_build_report_is_left_as_it_was(module):
    report, seconds = module.__dict__.get("build_report"), getattr(module, "REPORT_SECONDS", 1.0)
    assert report is shipped_build_report or (callable(report) and not inspect.iscoroutinefunction(report)), (
        "build_report() is now `async def`: it stands for slow blocking library code you cannot change (a PDF "
        "renderer, an HTTP client); leave it as it was and change how the consumer calls it"
    )
    assert seconds == 1.0, f"REPORT_SECONDS is {seconds}, not 1.0: a quicker report hides the stall, it does not fix it"


@pytest.mark.rule(2, 3)
async def test_another_socket_is_answered_while_a_report_is_being_built(app):
    slow, other = await sockets(app, count=2)
    async with reports_held(slow):
        await other.send_to(text_data="status")
        on_the_loop = STARTED[:1] == ["the event loop"]  # held nowhere: it ran, and every socket waited for it
        with held_reports_quiet():  # no echo, and nothing but the held report left that could send one: no wait
            echo = NOTHING if on_the_loop else await frame(other)
        held = "was held, and no echo came (nothing else in the process could still send one)"
        assert echo != NOTHING, (
            f'one socket asked for its report, the other sent "status"; the report '
            f"{'ran on the event loop itself' if on_the_loop else held}: every "
            "socket stood still while build_report() ran, on the event loop or on the process's one sync thread "
            "that every consumer's events pass through (django/channels#2132)"
        )
    await report_of(slow, "the socket that asked")
    await say(other, "ping", "reports", "Report")  # only "report" asks: frames on either side of it come back
    echoes = [echo, *[await frame(other) for _ in range(3)]]
    assert echoes == ["status", "ping", "reports", "Report"], f'only "report" asks: expected each echoed, got {echoes}'
    await close_all(slow, other)


@pytest.mark.rule(4)
async def test_a_report_that_takes_its_whole_second_is_answered(app, module):
    seconds = getattr(module, "REPORT_SECONDS", 1.0)
    communicator = await connect(app)
    STARTED.clear()
    with reports_take_their_length(seconds):  # each report takes REPORT_SECONDS of the event loop's clock, as shipped
        await communicator.send_to(text_data="report")
        await until(or_settled(lambda: communicator.future.done() or not communicator.output_queue.empty()))
    if communicator.output_queue.empty() and not communicator.future.done():  # nothing left that could send
        built = f"build_report() returned after its {seconds} s (REPORT_SECONDS, on the event loop's clock)"
        pytest.fail(
            f'"report" was asked, {built if STARTED else "build_report() was never called"}, and no report came, with '
            "nothing left that could send one: the ask was dropped. A time limit of "
            "REPORT_SECONDS or less runs out as such a report finishes, and in a task its TimeoutError goes unseen; "
            "the report takes its second, so let it (or give it a limit well over it)",
            pytrace=False,
        )
    if communicator.output_queue.empty() and communicator.future.done() and not communicator.future.cancelled():
        error = communicator.future.exception()
        took = (
            f'"report" was asked, and build_report() took its {seconds} s (REPORT_SECONDS, on the event loop\'s clock)'
        )
        if isinstance(error, TimeoutError):
            pytest.fail(
                f"{took}: your time limit ran out and the consumer crashed with TimeoutError. A limit of "
                "REPORT_SECONDS or less on a report that takes REPORT_SECONDS ends it whenever its thread is a moment "
                "late; the report takes its second, so let it (or give it a limit well over it)",
                pytrace=False,
            )
        pytest.fail(f"{took}: {crashed(error)}", pytrace=False)
    await report_of(communicator, f"a report that took its {seconds} s")
    await close_all(communicator)


@pytest.mark.parametrize("way_out", ["its socket closed", "the server cancelled it"])  # as Daphne does at shutdown
@pytest.mark.rule(5)
async def test_a_consumer_that_ends_during_its_report_leaves_no_task_behind(app, module, way_out):
    before, held, communicator = running_tasks(), kept_by(module), await connect(app)
    async with reports_held(communicator):
        async with nothing_waits_for_the_thread(way_out):  # every other socket goes on meanwhile
            if way_out == "the server cancelled it":
                await cancelled(communicator)
            else:
                if not asks_for_more(communicator):  # its handler awaits the report: the disconnect waits for it
                    LET_GO.set()
                assert await ends_on_disconnect(communicator, 1001), "the consumer ran on: raise StopConsumer()"
        left = await tasks_left(before)  # a report still held keeps a task that awaits it running
    assert not left, (
        f"{way_out} during its report, and {len(left)} task(s) of it still ran: a report handed to a task "
        "(asyncio.create_task, ensure_future) and left outlives its socket, and a task cancelled only in "
        "websocket_disconnect outlives its consumer; await the thread in the handler, or stop the task in a finally"
    )
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    nothing_kept(held, module, way_out, "Await the thread, or keep the socket's task on self")


@pytest.mark.rule(6)
async def test_two_sockets_asking_at_once_each_get_their_report(app):
    first, second = await sockets(app, count=2)
    async with reports_held(first, asks=FLOOD):  # one client asks again and again
        # Its asks are as far as they go while held: its consumer took them all, or each it took has its report started.
        await until(lambda: first.input_queue.empty() or 0 < len(STARTED) == FLOOD - first.input_queue.qsize())
        held = len(STARTED)

        def started() -> bool:
            return len(STARTED) > held or not second.output_queue.empty()

        with held_reports_quiet():  # it starts, or nothing but the held reports is left that could start it: in line
            await second.send_to(text_data="report")
            await until(or_settled(started))
        assert started(), (
            f"one socket asked {FLOOD} reports, another one; while {held} were held, the second socket's report "
            "waited for the first one's: a task per ask lets one client fill every thread of the loop's pool"
        )
    await report_of(first, "the first socket")
    await report_of(second, "the second socket")
    assert await answer(second, 0.05) == NOTHING, "one report was asked on the second socket, and more came"
    first.future.cancel()  # the server ends it, as at shutdown: the check has what it asked for
    await close_all(first, second)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_message_arrives_unchanged,
)
