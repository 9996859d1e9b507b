"""Check 02.3 (fix): while one socket waits for its slow report, every other socket of the process goes on."""

import asyncio
import inspect
import itertools
import json
import time

import pytest

from exercises.probes import (
    NOTHING,
    StallInYourLines,
    answer,
    cancelled,
    close_all,
    crashed,
    grown_since,
    kept_by,
    load,
    never_blocks,
    reply,
    running_tasks,
    sockets,
    tasks_left,
    text_of_bytes,
)

RULE = "One socket's slow report must not hold up any other socket of the process"
REPORT = {"report": "all systems nominal"}
REPORT_SECONDS = 1.0  # build_report()'s time, which the exercise forbids changing
FLOOD = 33  # asks from one socket: more than the threads of any loop's default pool, min(32, CPUs + 4)


BUILDS = itertools.count(1)
GIVEN: set[str] = set()  # the reports already sent: each ask gets one built for it
OFF_THE_LOOP: list[str] = []  # sends made from another thread or loop than the server's


def shipped_build_report() -> str:
    """build_report() as the exercise ships it, the slow library call the fix must work around; each report new."""
    time.sleep(REPORT_SECONDS)
    return f"{REPORT['report']}, report {next(BUILDS)}"


def sends_on_the_servers_loop(inner):
    """`inner`, its every send refused unless made on the server's event loop, in its thread (as Daphne needs)."""

    async def application(scope, receive, send):
        home = asyncio.get_running_loop()

        async def checked(message):
            if asyncio.get_running_loop() is not home:
                OFF_THE_LOOP.append(str(message)[:80])
                raise RuntimeError("a send from another thread's event loop")
            await send(message)

        return await inner(scope, receive, checked)

    return application


def app():
    module = load("02.3", RULE)
    module.build_report = shipped_build_report  # what the consumer calls, whatever the file did to it
    return sends_on_the_servers_loop(module.ReportConsumer.as_asgi())


def test_build_report_is_left_as_it_was():
    module = load("02.3", RULE)
    report = module.__dict__.get("build_report")
    assert report is shipped_build_report or (callable(report) and not inspect.iscoroutinefunction(report)), (
        "build_report() is now `async def`: it stands for slow library code you cannot change (a PDF renderer, "
        "a blocking HTTP client), which stays a plain blocking function. Leave it as it was and change how the "
        "consumer calls it"
    )
    seconds = getattr(module, "REPORT_SECONDS", REPORT_SECONDS)
    assert seconds == REPORT_SECONDS, (
        f"REPORT_SECONDS is {seconds}, not {REPORT_SECONDS}: a quicker report hides the stall, it does not fix it; "
        "the check calls the one-second build_report() as shipped"
    )


async def report_of(communicator, where: str) -> None:
    got = await answer(communicator, timeout=REPORT_SECONDS * 3)
    assert not OFF_THE_LOOP, (
        f"{where}: the report was sent from a thread of its own ({OFF_THE_LOOP[0]}): a consumer sends only on "
        "the server's event loop (Daphne's socket is not thread-safe); await the thread's result in the handler, "
        "then send"
    )
    assert not text_of_bytes(got), f'{where}: expected the text frame {{"report": ...}}, got {text_of_bytes(got)}'
    text = got.get("text") if isinstance(got, dict) else None
    try:
        decoded = json.loads(text) if text else None
    except ValueError:
        decoded = text
    report = decoded.get("report") if isinstance(decoded, dict) else None
    assert isinstance(report, str) and report.startswith(REPORT["report"]) and decoded == {"report": report}, (
        f'{where}: expected the text frame {{"report": <what build_report() returned>}} for "report", got {got}'
    )
    assert report not in GIVEN, (
        f'{where}: the report "{report}" was already sent for an earlier ask: each "report" gets one built for '
        "it, a report kept from an earlier call is stale"
    )
    GIVEN.add(report)


async def test_another_socket_is_answered_while_a_report_is_being_built():
    loop = asyncio.get_running_loop()
    slow, other = await sockets(app(), count=2)
    asked = loop.time()
    await slow.send_to(text_data="report")
    await asyncio.sleep(0.05)  # the report has started; a stalled loop wakes this sleep late
    await other.send_to(text_data="status")
    echo = await reply(other, timeout=REPORT_SECONDS * 3)
    took = loop.time() - asked - 0.05  # from when "status" was due to its echo
    assert echo == {"type": "websocket.send", "text": "status"}, (
        f'expected "status" back on the other socket, got {echo}: a frame that is not "report" is echoed'
    )
    assert took < REPORT_SECONDS / 4 and slow.output_queue.empty(), (
        f'while one socket waited for its report, the other socket\'s "status" (due 50 ms after the report was asked) '
        f"was echoed {took * 1000:.0f} ms late (about 1 ms when nothing stalls), only once the report was done: "
        "every socket of the process stood still while build_report() ran, on the event loop or on the "
        f"process's one sync thread that every consumer's events pass through (django/channels#2132). {RULE}"
    )
    await report_of(slow, "the socket that asked")
    for text in ("ping", "reports", "Report"):  # frames on either side of "report" are echoed too
        await other.send_to(text_data=text)
        echo = await reply(other)
        assert echo == {"type": "websocket.send", "text": text}, (
            f'expected "{text}" back at once, got {echo}: only the frame "report" asks for a report, '
            "every other frame is echoed"
        )
    await close_all(slow, other)


async def test_a_socket_that_leaves_during_its_report_leaves_no_task_behind():
    before, held = running_tasks(), kept_by(load("02.3", RULE))
    (communicator,) = await sockets(app(), count=1)
    await communicator.send_to(text_data="report")
    await asyncio.sleep(0.05)  # the report has started
    await communicator.send_input({"type": "websocket.disconnect", "code": 1001})  # the tab went away
    try:
        await communicator.wait(timeout=REPORT_SECONDS * 3)
    except TimeoutError:
        raise AssertionError(
            f"the consumer was still running {REPORT_SECONDS * 3:.0f} s after its socket closed: raise "
            "StopConsumer() in websocket_disconnect"
        ) from None
    except Exception as error:  # the student's consumer raised
        raise AssertionError(f"after the socket closed, {crashed(error)}") from None
    left = await tasks_left(before)
    assert not left, (
        f"the socket closed while its report was being built, its consumer ended, and {len(left)} task(s) of it "
        "still ran: a report handed to a task (asyncio.create_task, ensure_future) and left outlives its socket, "
        "sends to a socket that has gone, and its errors go unseen. Await the thread in the handler, or cancel "
        "the task when the socket closes: no task outlives its socket"
    )
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    grown = grown_since(held, load("02.3", RULE))
    assert not grown, (
        f"the socket has closed, and {grown} than "
        "before it opened: what a socket puts in the module or on the class stays after it has gone, one more for "
        "every socket the server ever served, until the process runs out of memory. Await the thread in the "
        "handler, or keep the socket's task on self, which goes with its consumer"
    )


async def test_a_consumer_the_server_cancels_during_its_report_leaves_no_task_behind():
    before = running_tasks()
    (communicator,) = await sockets(app(), count=1)
    await communicator.send_to(text_data="report")
    await asyncio.sleep(0.05)  # the report has started
    try:  # as Daphne does at shutdown, or after application_close_timeout: every other socket goes on meanwhile
        async with never_blocks(0.5, advice=False), StallInYourLines(advice=False):  # 0.5 s: Channels on a busy box
            await cancelled(communicator)
    except pytest.fail.Exception as failed:
        raise pytest.fail.Exception(
            f"the server cancelled the consumer while its report was being built, and {failed}. On the way out "
            "nothing may wait for the report's thread: leaving a `with ThreadPoolExecutor()` block waits for its "
            "call to end (shutdown(wait=True)); use asyncio.to_thread, or the loop's own executor, which no "
            "handler shuts down",
            pytrace=False,
        ) from None
    left = await tasks_left(before)
    assert not left, (
        f"the server cancelled the consumer while its report was being built (as Daphne does at shutdown, or "
        f"after application_close_timeout) and {len(left)} task(s) of it still ran: no websocket.disconnect "
        "comes then, so a task cancelled only in websocket_disconnect outlives its consumer and sends to a socket "
        "that has gone. Await the thread in the handler, or stop the task in a finally that runs however the "
        "consumer ends (lesson 02's ticker): no task outlives its consumer"
    )


async def test_two_sockets_asking_at_once_each_get_their_report():
    loop = asyncio.get_running_loop()
    first, second = await sockets(app(), count=2)
    started = loop.time()
    async with never_blocks():
        for _ in range(FLOOD):  # one client asks again and again: its asks may wait for each other, never another's
            await first.send_to(text_data="report")
        await asyncio.sleep(0.05)  # the first socket's asks have reached its consumer
        await second.send_to(text_data="report")
        await report_of(first, "the first socket")
        waiting = await second.receive_nothing(max(REPORT_SECONDS * 1.7 - (loop.time() - started), 0.01))
        took = loop.time() - started
        assert not waiting, (
            f"the first socket asked for {FLOOD} reports, the second for one just after, and {took:.1f} s later (each report "
            f"takes {REPORT_SECONDS:.0f} s) the second socket's report had not come: the second socket's report "
            "waited for the first one's. A socket's own asks may wait for each other, never another socket's: a "
            "task per ask lets one client that asks again and again fill every thread of the loop's pool (it has "
            "min(32, CPUs + 4)), and every other socket's report waits behind its asks; await the thread in the "
            f"handler, so each socket builds one report at a time. {RULE}"
        )
        await report_of(second, "the second socket")
    assert await answer(second, 0.05) == NOTHING, "one report was asked on the second socket, and more came"
    first.future.cancel()  # its other asks would take a second each: the server ends it, as at shutdown
    await close_all(first, second)
