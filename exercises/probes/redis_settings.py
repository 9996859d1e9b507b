"""The Redis layer a setting builds, seen from outside the process (05.3) and over a quiet channel's long read (05.5).

settings.py builds the layer and joins it to a group; here are the other process that sends to
it, the Redis databases that hold its keys, and (05.5) its reads, timed against Redis's own.
"""

import asyncio
import contextlib
import inspect
import logging
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import redis
from django.utils.module_loading import import_string
from redis.asyncio.connection import AbstractConnection

from exercises.probes.loading import load
from exercises.probes.outages import redis_answers
from exercises.probes.settings import PASSWORD_WRITTEN, arrival, in_a_group, started_with
from exercises.probes.written import shown_part, written_out
from exercises.targets import REPO_DIR
from harness.patience import COMMAND

DEFAULT = "redis://127.0.0.1:6379/0"  # 05.3's REDIS_URL when none is set, as its task says (05.5's too)


@pytest.fixture
def redis_url(monkeypatch) -> str:
    """REDIS_URL set, to this machine's (or DEFAULT), where a Redis answers: the check runs alike wherever it runs."""
    monkeypatch.setenv("REDIS_URL", url := os.environ.get("REDIS_URL") or DEFAULT)
    redis_answers(url)
    return url


# The other process imports the settings afresh and sends, as a second machine or container would: own pid and hostname.
# It builds the layer as layer_of() does (this process built it so first, and told any setting it cannot build),
# with exercises.targets alone: the probes package imports pytest and Channels' test tools, which a sender never
# uses, and a busy machine took seconds more to start it.
SENDER = """
import asyncio, os, platform, socket, sys
os.environ["HOSTNAME"] = "web-2"
socket.gethostname = platform.node = lambda: "web-2"
from django.utils.module_loading import import_string
from exercises.targets import target
async def main(config, group, channel, burst):
    layer = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    await layer.send(channel, {"type": "chat.message", "message": "to you alone"})
    for _ in range(int(burst)):
        await layer.group_send(group, {"type": "chat.message", "message": "from the other process"})
asyncio.run(main(target("05.3").CHANNEL_LAYERS["default"], *sys.argv[1:]))
"""


async def another_process_sends(group: str, channel: str, burst: int) -> None:
    """Another process, on 05.3's settings, sends one message to `channel`, then `burst` to `group`.

    A layer that lives inside the process (or one the other process reads another way) passes
    every test run in one process: only a second process, its own pid and hostname, shows it.
    """
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SENDER, group, channel, str(burst), cwd=REPO_DIR, stderr=subprocess.PIPE
    )
    _, error = await asyncio.wait_for(sender.communicate(), timeout=COMMAND)
    assert sender.returncode == 0, f"the other process could not send: {error.decode().strip().splitlines()[-1:]}"


async def heard_in_a_row(layer, channel: str, message: dict, most: int) -> int:
    """How many of the next arrivals on `channel`, up to `most`, are `message`: the count stops at the first gap."""
    heard = 0
    while heard < most and await arrival(layer, channel) == message:
        heard += 1
    return heard


async def group_shared(layer, other, message: dict) -> object:
    """What a channel of `layer`, in a group of its own, hears when `other` sends `message` to that group (arrival()).

    Two layers built apart, as two server processes build theirs; one that cannot join raises, as in_a_group() does.
    """
    async with in_a_group(layer) as (group, channel):
        await other.group_send(group, message)
        return await arrival(layer, channel)


async def joined_with(exercise_id: str, redis_url: str, rule: str) -> str | None:
    """The kind of layer the settings imported afresh with REDIS_URL=redis_url build, if it joins a group within 3 s."""
    try:
        async with in_a_group(layer := started_with(exercise_id, redis_url, rule)):
            return type(layer).__name__
    except Exception:  # nothing answers at REDIS_URL, or it refuses: the layer went where it was told
        return None


def no_redis_at(url: str) -> bool:
    """True if no Redis answers at `url` within 1 s: a layer that could not reach it there did all it could."""
    with contextlib.suppress(redis.RedisError):
        return not redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    return True


def databases_holding(url, group: str) -> list[int]:
    """The databases (0-15) of the Redis at `url` (a urlsplit) that hold a key naming `group`."""
    stores = {db: redis.Redis.from_url(url._replace(path=f"/{db}").geturl()) for db in range(16)}
    return [db for db, store in stores.items() if next(store.scan_iter(match=f"*{group}*", count=1000), None)]


async def logs_in_as_redis_url_says(exercise_id: str, rule: str, caplog, capsys) -> None:
    """The settings, imported with REDIS_URL's user and password wrong, write no password and cannot join a group.

    A layer that keeps only the host and port of REDIS_URL (a tuple, a URL cut short) joins all the
    same: a deployment whose Redis asks for a password then fails at every call. (05.3 and 05.5.)
    """
    url = urlsplit(os.environ["REDIS_URL"])
    wrong = url._replace(netloc=f"nobody:not-the-password@{url.hostname}:{url.port or 6379}").geturl()
    caplog.set_level(logging.DEBUG)
    joined = await joined_with(exercise_id, wrong, rule)  # a server starts: what does it write?
    assert not shown_part(written_out(caplog, capsys), "not-the-password", 8), f"REDIS_URL={wrong}: {PASSWORD_WRITTEN}"
    assert not joined, (
        f"with REDIS_URL={wrong}, whose user and password are wrong, the layer still joined a group: it keeps only "
        "part of REDIS_URL (the host and port, without the user, the password or the database), so a deployment "
        f"whose Redis asks for a password fails at every group_send. Give the host the whole URL. {rule}"
    )


async def keeps_the_database_redis_url_names(exercise_id: str, rule: str) -> None:
    """The settings, imported with REDIS_URL naming another database, keep their groups in that one (05.3, 05.5)."""
    url = urlsplit(os.environ["REDIS_URL"])
    number = 8 if url.path.strip("/") == "7" else 7
    other = url._replace(path=f"/{number}").geturl()
    # A Redis answers there, and the layer must reach it. Which databases hold the group's key? (None: a pub/sub layer.)
    async with in_a_group(started_with(exercise_id, other, rule)) as (group, _):
        kept = databases_holding(url, group)
    assert not kept or kept == [number], (
        f"with REDIS_URL={other} the layer kept its group in database {kept[0] if kept else None}, not in database "
        f"{number}: it drops the database REDIS_URL names, so two projects that share one Redis by database number "
        f"share its rooms, and mix their messages. Give the host the whole URL. {rule}"
    )


# Check 05.5: a quiet channel's blocking read (BZPOPMIN, up to brpop_timeout) and its connection's read timeout.
SCALE = 0.2  # every wait of check 05.5 scaled to a fifth: its blocking reads, its connections' read timeouts
LATE = 1  # real seconds a blocking read's answer may take to arrive after its timeout: a slow network, a busy Redis
REDIS_PY_DEFAULT = inspect.signature(AbstractConnection.__init__).parameters["socket_timeout"].default


def scaled_layer(exercise_id: str, rule: str):
    """The layer the exercise's setting builds, its reads scaled to SCALE; fails with a sentence if it cannot be built.

    Both clocks are scaled alike, the blocking read and each connection's read timeout, so their
    race is the setting's as written; blocking_read and blocking_said keep the real seconds.
    """
    module = load(exercise_id, rule)
    redis_answers(module.REDIS_URL)
    config = module.CHANNEL_LAYERS["default"]
    try:
        built = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    except TypeError as error:
        pytest.fail(
            f"the layer cannot be built from your setting: TypeError: {error}. RedisChannelLayer's CONFIG takes the "
            "layer's own options; what a connection does is said where the connection's address is",
            pytrace=False,
        )

    def scaled_pool(index):
        pool = type(built).create_pool(built, index)  # the layer's own pool, then its read timeout scaled
        timeout = pool.connection_kwargs.get("socket_timeout", REDIS_PY_DEFAULT)
        pool.connection_kwargs["socket_timeout"] = None if timeout is None else timeout * SCALE
        return pool

    built.create_pool = scaled_pool
    blocking = built.brpop_timeout  # the layer's own 5 s, or what your file made it: judged as you wrote it
    built.brpop_timeout = blocking * SCALE  # 0 stays 0: BZPOPMIN then waits for ever
    built.blocking_read = blocking + LATE if blocking else float("inf")  # real seconds until its answer has come
    built.blocking_said = f"{blocking:g} s in real time" if blocking else "without end, brpop_timeout 0"
    return built


def reads_outlast_the_blocking_read(built, rule: str) -> None:
    """Each host's read timeout, as the setting writes it, outlasts the blocking read and the LATE its answer may take.

    Judged from the numbers first, with no race against the machine's speed; a read timeout
    that loses the race, or ties it without a retry, fails here with the reason.
    """
    for index, host in enumerate(built.hosts):
        kwargs = built.create_pool(index).connection_kwargs
        timeout = kwargs.get("socket_timeout")  # scaled, as the reads are
        if timeout is None or timeout > built.blocking_read * SCALE:
            continue
        retried = kwargs.get("retry_on_timeout") or kwargs.get("retry") is not None
        crash = "receive() raises TimeoutError: a crash, and the socket closes with 1011"
        why = f"each read on a quiet channel gives up first, and {crash}"
        if retried:
            why = (
                "a read that timed out is retried (retry_on_timeout, a Retry), and each retry times out the same way "
                "until the retries run out and receive() raises"
            )
        # After the blocking read, within LATE of it; or with it, where the answer and the timeout race.
        if built.brpop_timeout and (timeout > built.brpop_timeout or timeout == built.brpop_timeout and not retried):
            why = (
                f"the blocking read's answer then has {(timeout - built.brpop_timeout) / SCALE:g} s to arrive, "
                f"less than a slow network or a busy Redis takes, so a read times out now and then and {crash}"
            )
        pytest.fail(
            f"host {host}: its reads time out after {timeout / SCALE:g} s, before the layer's blocking read "
            f"({built.blocking_said}, and the {LATE} s its answer may take) can answer; {why}, and a message "
            f"Redis popped as the connection gave up is lost. {rule}",
            pytrace=False,
        )
