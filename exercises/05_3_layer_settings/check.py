"""Check 05.3 (fix): every process shares one channel layer (Redis), so a group_send crosses processes.

A group_send from another process (its own pid and hostname) reaches this one, a burst of BURST whole, and so does
its send to one channel, a membership lasting a day; with REDIS_URL unset, two servers share groups on the local
Redis; the layer uses the Redis, login and database REDIS_URL names, whatever answers at import, and logs no password.
"""

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import redis

from exercises.probes import COMMAND, PASSWORD_WRITTEN, REPO_DIR, arrival, in_a_group, layer_of
from exercises.probes import load, redis_answers, shown_part, started_with, written_out

RULE = (
    "Processes share groups and channels only through a layer that lives outside every one of them, the same "
    "store, seen the same way, from each"
)
DAY = 86400  # seconds: channels_redis's group_expiry, and Daphne's --websocket_timeout
DEFAULT = "redis://127.0.0.1:6379/0"  # the task's REDIS_URL when none is set
BURST = 20  # one client's burst in lesson 05's test: 20 messages sent before this process reads one
SENT = {"type": "chat.message", "message": "from the other process"}
# The other process imports the settings afresh and sends, as a second machine or container would: own pid and hostname.
SENDER = """
import asyncio, os, platform, socket, sys
os.environ["HOSTNAME"] = "web-2"
socket.gethostname = platform.node = lambda: "web-2"
from exercises.probes import layer_of, target
async def main(layer, group, channel, burst):
    await layer.send(channel, {"type": "chat.message", "message": "to you alone"})
    for _ in range(int(burst)):
        await layer.group_send(group, {"type": "chat.message", "message": "from the other process"})
asyncio.run(main(layer_of(target("05.3").CHANNEL_LAYERS["default"], ""), *sys.argv[1:]))
"""


@pytest.fixture(autouse=True)
def redis_url(monkeypatch):
    """REDIS_URL set, to this machine's (or the task's default), where a Redis answers: alike wherever it runs."""
    monkeypatch.setenv("REDIS_URL", url := os.environ.get("REDIS_URL") or DEFAULT)
    redis_answers(url)


async def joined_with(redis_url: str) -> str | None:
    """The kind of layer the settings imported afresh with REDIS_URL=redis_url build, if it joins a group within 3 s."""
    try:
        async with in_a_group(layer := started_with("05.3", redis_url, RULE)):
            return type(layer).__name__
    except Exception:  # nothing answers at REDIS_URL, or it refuses: the layer went where it was told
        return None


async def test_a_group_send_from_another_process_reaches_this_one():
    layer = layer_of(load("05.3", RULE).CHANNEL_LAYERS["default"], RULE)
    kept = getattr(layer, "group_expiry", DAY)
    assert kept >= DAY, (
        f"group_expiry is {kept} s: a membership older than that ends while its socket is still open (Daphne keeps "
        f"a socket up to a day), and the room stops hearing it with nothing raised. Leave it at its day. {RULE}"
    )
    async with in_a_group(layer) as (group, channel):  # and a direct channel: two sockets of this process
        direct = await layer.new_channel()
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SENDER, group, direct, str(BURST), cwd=REPO_DIR, stderr=subprocess.PIPE
        )
        _, error = await asyncio.wait_for(sender.communicate(), timeout=COMMAND)
        assert sender.returncode == 0, f"the other process could not send: {error.decode().strip().splitlines()[-1:]}"
        got = await arrival(layer, channel)
        assert got == SENT, (
            f"the other process's group_send never arrived here (got {got}): the message went to a layer (or a form) "
            "this process cannot see (it ran as another machine would: its own pid and hostname), and in a real "
            f"deployment nothing raises, nothing is logged. {RULE}"
        )
        heard = 1
        while heard < BURST and (got := await arrival(layer, channel)) == SENT:  # stops at the first gap
            heard += 1
        assert heard == BURST, (
            f"the other process sent a burst of {BURST} messages to the group, and {heard} arrived here: a group_send to "
            "a queue holding `capacity` messages is dropped without a word, and capacity counts a process's sockets "
            f"together: size it above the largest burst a process must absorb (100 by default, 1000 in lesson 05). {RULE}"
        )
        alone = await arrival(layer, direct)
        assert alone == {"type": "chat.message", "message": "to you alone"}, (
            f"the other process's send() to one channel of this process never arrived (got {alone}): a direct send "
            f"(lesson 06's worker replies) must cross processes too. {RULE}"
        )


async def test_without_redis_url_the_layer_uses_the_local_redis():
    unset = (
        f"with REDIS_URL unset, the setting must fall back to {DEFAULT}, as the task says: a development machine "
        f'sets no REDIS_URL, so read it with a default (os.environ.get("REDIS_URL") or "{DEFAULT}"), never as '
        'os.environ["REDIS_URL"], which raises KeyError there'
    )
    # Two servers started on one laptop with REDIS_URL unset: what one sends to a group, the other's socket hears.
    layer, other = started_with("05.3", None, unset), started_with("05.3", None, unset)
    try:
        async with in_a_group(layer) as (group, channel):
            await other.group_send(group, SENT)
            got = await arrival(layer, channel)
    except Exception as error:  # nothing answers where the layer went: right only if no Redis answers at the default
        with contextlib.suppress(redis.RedisError):  # none there on this machine: the layer could do no more
            assert not redis.Redis.from_url(DEFAULT, socket_connect_timeout=1).ping(), (
                f"with REDIS_URL unset, the layer ({type(layer).__name__}) could not join a group on {DEFAULT} and "
                f"send to it, where a Redis answers ({type(error).__name__}: {error}): {unset}"
            )
        return
    assert got == SENT, (
        f"with REDIS_URL unset, two server processes did not share their groups (got {got}): the setting falls back "
        f"to a layer inside each process ({type(layer).__name__}), where the task wants the Redis at {DEFAULT}. {unset}"
    )


async def test_the_layer_uses_the_redis_that_redis_url_names():
    nowhere = "redis://127.0.0.1:1/0"  # no Redis listens on port 1
    kind = await joined_with(nowhere)
    assert not kind or "Redis" in kind, (
        f"with REDIS_URL={nowhere}, where no Redis listens, the setting chose {kind}, whose groups live in the process: "
        "a server started while its Redis is down (a deploy, a reboot, a restart) keeps that layer for good, its rooms "
        f"split from the others' with nothing raised. Choose no layer by whether Redis answers at import. {RULE}"
    )
    assert not kind, (
        f"with REDIS_URL={nowhere}, where no Redis listens, the layer still joined a group: it talks to a Redis "
        f"written into the setting, not to the one REDIS_URL names, so a deployment whose Redis is elsewhere splits "
        f"or loses its rooms. Build the hosts from REDIS_URL. {RULE}"
    )


async def test_the_layer_logs_in_as_redis_url_says_and_writes_no_password(capsys, caplog):
    url = urlsplit(os.environ["REDIS_URL"])
    wrong = url._replace(netloc=f"nobody:not-the-password@{url.hostname}:{url.port or 6379}").geturl()
    caplog.set_level(logging.DEBUG)
    joined = await joined_with(wrong)  # a server starts: what does it write?
    assert not shown_part(written_out(caplog, capsys), "not-the-password", 8), f"REDIS_URL={wrong}: {PASSWORD_WRITTEN}"
    assert not joined, (
        f"with REDIS_URL={wrong}, whose user and password are wrong, the layer still joined a group: it keeps only "
        "part of REDIS_URL (the host and port, without the user, the password or the database), so a deployment "
        f"whose Redis asks for a password fails at every group_send. Give hosts the whole URL. {RULE}"
    )


async def test_the_layer_uses_the_database_redis_url_names():
    url = urlsplit(os.environ["REDIS_URL"])
    number = 8 if url.path.strip("/") == "7" else 7
    other = url._replace(path=f"/{number}").geturl()
    # A Redis answers there, and the layer must reach it. Which databases hold the group's key? (None: a pub/sub layer.)
    async with in_a_group(started_with("05.3", other, RULE)) as (group, _):
        stores = {db: redis.Redis.from_url(url._replace(path=f"/{db}").geturl()) for db in range(16)}
        kept = [db for db, store in stores.items() if next(store.scan_iter(match=f"*{group}*", count=1000), None)]
    assert not kept or kept == [number], (
        f"with REDIS_URL={other} the layer kept its group in database {kept[0] if kept else None}, not in database "
        f"{number}: it drops the database REDIS_URL names, so two projects that share one Redis by database number "
        f"share its rooms, and mix their messages. Give hosts the whole URL. {RULE}"
    )
