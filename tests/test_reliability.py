"""Load and faults: nothing lost, idle sockets survive, a Redis outage, a crash contained, no leaks.

Every test here is `slow`: real Daphne processes on loopback and a real Redis;
the outage tests stop a throwaway redis-server of their own (never the
machine's). Counts are bounded, so the file runs in about a minute on 2 cores.
Lesson 05's tests prove each Redis setting on its own (an idle socket, 150
sockets, a burst, a quick Redis restart); these are the promises of the course's contract (README.md, NOTES.md)
under load and faults.
"""

import asyncio
import json

import pytest
import redis
from channels.testing import WebsocketCommunicator

from harness.patience import CONDITION, FRAME
from lessons.asgi import application
from tests.helpers.clients import (
    ORIGIN,
    chat_socket,
    group_members,
    next_frame,
    open_socket,
    receives_nothing,
    wait_until,
)
from tests.helpers.crash_asgi import CRASH_MESSAGE, CRASH_PATH
from tests.helpers.faults import by_sender, chat_in_waves, chats, chats_within, close_code, shortfalls

# Lesson 05's fixture: a throwaway redis-server on a free port, so a test may stop it.

SENDERS, EACH = 50, 10


@pytest.mark.slow
@pytest.mark.parametrize(("servers", "idle"), [(1, 0), (2, 15)], ids=["one-server", "two-servers-after-15-s-idle"])
async def test_50_sockets_sending_10_messages_each_receive_all_500_once_in_senders_order(
    daphne, redis_url, servers, idle
):
    processes = [daphne(redis_url) for _ in range(servers)]
    sockets = [await chat_socket(processes[n % servers], f"all-{servers}") for n in range(SENDERS)]
    await asyncio.sleep(idle)  # redis-py's default 5 s read timeout would have closed them by now

    # Read by progress, not a time per frame: 25,000 frames; 500 broadcasts, under one process's CAPACITY
    # (1000) and one address's flood budget (500 a minute, per process). Ten rounds, each sender's k-th
    # message in round k, so none waits in Redis past its EXPIRY (60 s) on a busy machine (chat_in_waves).
    sent = [f"{n}:{k}" for n in range(SENDERS) for k in range(EACH)]
    rounds = [[(ws, f"{n}:{k}") for n, ws in enumerate(sockets)] for k in range(EACH)]
    received = await chat_in_waves(rounds, sockets)
    assert shortfalls(received, sent, sockets) == {}, [process.log()[-2000:] for process in processes]
    # Each sender's k = 0..9, once each, in order: nothing lost, nothing twice, order kept.
    everything = {n: list(range(EACH)) for n in range(SENDERS)}
    assert [by_sender(messages) for messages in received] == [everything] * SENDERS
    assert all(await asyncio.gather(*(receives_nothing(ws, timeout=0.2) for ws in sockets)))
    await asyncio.gather(*(ws.close() for ws in sockets))


@pytest.mark.slow
async def test_a_redis_outage_closes_chats_with_4503_echoes_carry_on_and_chat_returns(daphne, private_redis):
    server = daphne(private_redis.url)
    chatters = [await chat_socket(server, "outage") for _ in range(3)]
    echoes = [await open_socket(server, path) for path in ("ws/sync/echo/", "ws/async/echo/")]
    private_redis.stop()
    codes = await asyncio.gather(*(close_code(ws) for ws in chatters))
    for ws in echoes:  # they need no channel layer
        await ws.send("during the outage")
    echoed = [await asyncio.wait_for(ws.recv(), FRAME) for ws in echoes]
    private_redis.start()
    # Chat returns by itself: the layer's retries find the new Redis (about a second on an idle machine).
    back = await chats_within(server, "outage", CONDITION)
    assert codes == [4503] * 3
    assert echoed == ["during the outage"] * 2
    assert back
    assert [await chats(server, f"after-{n}") for n in range(20)] == [True] * 20
    assert server.process.poll() is None
    assert "Exception inside application" not in server.log()
    for ws in echoes:
        await ws.close()


def log_entries(browser) -> list[str]:
    """The texts of the lesson page's frame log, oldest first."""
    from selenium.webdriver.common.by import By  # here: 0.1 s of imports that only the browser test needs

    return [entry.text for entry in browser.find_elements(By.CSS_SELECTOR, "#log li.frame .data")]


@pytest.mark.slow
@pytest.mark.browser
def test_the_lesson_page_reconnects_with_backoff_after_a_redis_outage_and_says_so(browser, daphne, private_redis):
    from selenium.webdriver.common.by import By

    server = daphne(private_redis.url)
    browser.get(server.http_url + "/lessons/05/")
    browser.find_element(By.ID, "reconnect").click()
    browser.find_element(By.ID, "connect").click()
    wait_until(lambda: browser.find_element(By.ID, "status").text == "open")
    private_redis.stop()
    wait_until(lambda: any("reconnecting in" in text for text in log_entries(browser)), timeout=CONDITION)
    private_redis.start()
    wait_until(lambda: browser.find_element(By.ID, "status").text == "open", timeout=CONDITION)
    entries = log_entries(browser)
    first_retry = next(n for n, text in enumerate(entries) if "reconnecting in" in text)
    assert "closed with code 4503" in entries[first_retry - 1]
    assert "open" in entries[first_retry + 1 :]


@pytest.mark.slow
async def test_a_crash_closes_only_its_own_socket_with_1011_and_logs_one_traceback(crash_server):
    alice, bob = await chat_socket(crash_server, "calm"), await chat_socket(crash_server, "calm")
    echo = await open_socket(crash_server, "ws/sync/echo/")
    crasher = await open_socket(crash_server, CRASH_PATH)
    await crasher.send("trigger the bug")
    crash_code = await close_code(crasher, timeout=FRAME)
    await alice.send(json.dumps({"message": "still here"}))
    await echo.send("still echoing")
    assert crash_code == 1011  # internal error: the one socket whose consumer crashed
    assert (await next_frame(bob))["message"] == "still here"
    assert await asyncio.wait_for(echo.recv(), FRAME) == "still echoing"
    assert await chats(crash_server, "after-the-crash")
    log = crash_server.log()
    assert log.count("Exception inside application") == log.count("Traceback (most recent call last)") == 1
    assert CRASH_MESSAGE in log
    for ws in (alice, bob, echo):
        await ws.close()


# --- leaks ------------------------------------------------------------------

CYCLES, AT_ONCE = 500, 50


@pytest.mark.slow
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_500_chat_sockets_opened_and_closed_leave_no_group_member_and_no_task_behind(layer):
    async def open_and_close() -> None:
        communicator = WebsocketCommunicator(application, "/ws/chat/leak/", headers=ORIGIN)
        assert (await communicator.connect(timeout=FRAME))[0]
        await communicator.disconnect(timeout=FRAME)

    witness = WebsocketCommunicator(application, "/ws/chat/leak/", headers=ORIGIN)
    await witness.connect(timeout=FRAME)  # stays: proves the group is where we look
    tasks_before = asyncio.all_tasks()
    for _ in range(CYCLES // AT_ONCE):
        await asyncio.gather(*(open_and_close() for _ in range(AT_ONCE)))
    assert asyncio.all_tasks() - tasks_before == set()
    assert len(await group_members("chat-leak")) == 1
    await witness.disconnect()


@pytest.mark.slow
async def test_500_sockets_closed_or_dropped_on_a_real_server_leave_no_member_in_redis(daphne, redis_url, redis_prefix):
    server = daphne(redis_url)
    witness = await chat_socket(server, "dropped")  # stays: proves the group is where we look

    async def open_and_leave(n: int) -> None:
        ws = await chat_socket(server, "dropped")
        if n % 2:
            await ws.close()
        else:
            ws.transport.abort()  # no close frame: the TCP connection just drops

    for batch in range(CYCLES // AT_ONCE):
        await asyncio.gather(*(open_and_leave(batch * AT_ONCE + n) for n in range(AT_ONCE)))
    group_key = f"{redis_prefix}:group:chat-dropped"
    members = redis.Redis.from_url(redis_url)
    try:
        wait_until(lambda: members.zcard(group_key) == 1)  # Daphne hears of the last drops a moment later
    finally:
        members.close()
    assert server.process.poll() is None
    await witness.close()
