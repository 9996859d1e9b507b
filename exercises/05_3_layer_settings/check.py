"""Check 05.3 (fix): every process shares one channel layer (Redis), so a group_send crosses processes."""

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from unittest import mock
from urllib.parse import urlsplit

import pytest
import redis
from django.utils.module_loading import import_string

from exercises.probes import COMMAND, FRAME, REPO_DIR, imported_afresh, load, redis_answers, written_out

RULE = (
    "Processes share groups and channels only through a layer that lives outside every one of them, the same "
    "store, seen the same way, from each"
)
DAY = 86400  # seconds: channels_redis's group_expiry, and Daphne's --websocket_timeout
DEFAULT = "redis://127.0.0.1:6379/0"  # the task's REDIS_URL when none is set
BURST = 20  # one client's burst in lesson 05's test: 20 messages sent before this process reads one
# The other process: imports the same settings module afresh, builds its layer, sends to the group. It runs as
# a second machine or container would: its own pid, and its own hostname.
SENDER = """
import asyncio, os, platform, socket, sys
os.environ["HOSTNAME"] = "web-2"
socket.gethostname = platform.node = lambda: "web-2"
from django.utils.module_loading import import_string
from exercises.probes import target as load_target
config, group, channel, burst = load_target("05.3").CHANNEL_LAYERS["default"], *sys.argv[1:3], int(sys.argv[3])

async def main():
    layer = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    await layer.send(channel, {"type": "chat.message", "message": "to you alone"})
    for _ in range(burst):
        await layer.group_send(group, {"type": "chat.message", "message": "from the other process"})

asyncio.run(main())
"""


@pytest.fixture(autouse=True)
def redis_url(monkeypatch):
    """REDIS_URL set, to this machine's (or the task's default): the check decides alike wherever it runs."""
    monkeypatch.setenv("REDIS_URL", os.environ.get("REDIS_URL") or DEFAULT)


def layer_of(config: dict, when: str = ""):
    """The layer `config` describes, as Channels builds it; a setting it cannot build fails with a sentence."""
    try:
        return import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    except Exception as error:  # a student's setting may name or configure anything
        pytest.fail(
            f'Channels could not make the layer of CHANNEL_LAYERS["default"]{when}: {type(error).__name__}: '
            f"{str(error).rstrip('.')}. A layer is a BACKEND and its CONFIG, as Channels' docs show: "
            f'{{"hosts": [REDIS_URL]}}, REDIS_URL a redis:// URL. {RULE}',
            pytrace=False,
        )


async def arrival(layer, channel: str) -> object:
    """What the channel receives within FRAME: a message, nothing, or a sentence naming why it could not be read."""
    try:
        async with asyncio.timeout(FRAME):
            return await layer.receive(channel)
    except TimeoutError:
        return f"nothing within {FRAME:.0f} s"
    except Exception as error:  # arrived, and this process cannot read what the other one wrote
        return f"a message this process could not read: {type(error).__module__}.{type(error).__name__}: {error}"


def setting() -> dict:
    module, url = load("05.3", RULE), os.environ["REDIS_URL"]  # the fixture's: the URL the settings read
    redis_answers(url)
    return module.CHANNEL_LAYERS["default"]


async def test_a_group_send_from_another_process_reaches_this_one():
    config = setting()
    layer = layer_of(config)
    kept = getattr(layer, "group_expiry", DAY)
    assert kept >= DAY, (
        f"group_expiry is {kept} s: a membership older than that ends while its socket is still open (Daphne keeps "
        f"a socket up to a day), and the room stops hearing it with nothing raised. Leave it at its day. {RULE}"
    )
    group = f"fixroom-{uuid.uuid4().hex[:12]}"  # no one else's group
    channel, direct = await layer.new_channel(), await layer.new_channel()  # two sockets of this process
    await layer.group_add(group, channel)
    try:
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SENDER, group, direct, str(BURST), cwd=REPO_DIR, stderr=subprocess.PIPE
        )
        _, error = await asyncio.wait_for(sender.communicate(), timeout=COMMAND)
        assert sender.returncode == 0, f"the other process could not send: {error.decode().strip().splitlines()[-1:]}"
        got = await arrival(layer, channel)
        assert isinstance(got, dict) and got.get("message") == "from the other process", (
            f"the other process's group_send never arrived here (got {got}): the message went to a layer (or a "
            f"form) this process cannot see (it ran as another machine would: its own pid and hostname), and in a "
            f"real deployment nothing raises, nothing is logged. {RULE}"
        )
        heard = 1
        while heard < BURST and isinstance(got := await arrival(layer, channel), dict):  # stops at the first gap
            heard += got.get("message") == "from the other process"
        assert heard == BURST, (
            f"the other process sent a burst of {BURST} messages to the group, and {heard} arrived here: a group_send "
            "to a queue already holding `capacity` messages is dropped without a word, and capacity counts every "
            f"socket of a process together: size it above the largest burst a process must absorb (the default is "
            f"100; lesson 05's layer sets 1000), never below. {RULE}"
        )
        alone = await arrival(layer, direct)
        assert isinstance(alone, dict) and alone.get("message") == "to you alone", (
            f"the other process's send() to one channel of this process never arrived (got {alone}): a direct send "
            f"(lesson 06's worker replies) must cross processes too. {RULE}"
        )
    finally:
        await layer.group_discard(group, channel)


def started_with(redis_url: str | None, rule: str = RULE):
    """The layer of the settings imported afresh, as a new server starts, with REDIS_URL=redis_url (None: unset)."""
    with mock.patch.dict(os.environ):
        os.environ.pop("REDIS_URL", None)
        module = imported_afresh("05.3", rule, {"REDIS_URL": redis_url} if redis_url else None)
    config = module.CHANNEL_LAYERS["default"]
    return layer_of(config, f" with REDIS_URL={redis_url}" if redis_url else " with REDIS_URL unset")


async def joins_a_group(redis_url: str | None, rule: str = RULE) -> bool:
    """Whether the layer of the settings imported afresh with REDIS_URL=redis_url can join a group within 3 s."""
    layer = started_with(redis_url, rule)
    group = f"fixroom-{uuid.uuid4().hex[:12]}"
    try:
        async with asyncio.timeout(3):
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
    except Exception:  # nothing answers at REDIS_URL, or it refuses: the layer went where it was told
        return False
    await layer.group_discard(group, channel)
    return True


async def test_without_redis_url_the_layer_uses_the_local_redis():
    setting()  # a Redis answers where this machine's REDIS_URL (or the default) says
    unset = (
        f"with REDIS_URL unset, the setting must fall back to {DEFAULT}, as the task says: a development machine "
        f'sets no REDIS_URL, so read it with a default (os.environ.get("REDIS_URL") or "{DEFAULT}"), never as '
        'os.environ["REDIS_URL"], which raises KeyError there'
    )
    # Two servers started on one laptop with REDIS_URL unset: what one sends to a group, the other's socket hears.
    layer, other, group = started_with(None, unset), started_with(None, unset), f"fixroom-{uuid.uuid4().hex[:12]}"
    try:
        async with asyncio.timeout(3):
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
    except Exception as error:  # nothing answers where the layer went: right only if that is the default, unanswered
        try:
            redis.Redis.from_url(DEFAULT, socket_connect_timeout=1).ping()
        except redis.RedisError:  # this machine runs no Redis at the default: the layer could do no more
            return
        pytest.fail(
            f"with REDIS_URL unset, the layer ({type(layer).__name__}) could not join a group on {DEFAULT}, where a "
            f"Redis answers ({type(error).__name__}: {error}): {unset}",
            pytrace=False,
        )
    try:
        await other.group_send(group, {"type": "chat.message", "message": "from the other process"})
        got = await arrival(layer, channel)
    finally:
        await layer.group_discard(group, channel)
    assert isinstance(got, dict) and got.get("message") == "from the other process", (
        f"with REDIS_URL unset, two server processes did not share their groups (got {got}): the setting falls "
        f"back to a layer inside each process ({type(layer).__name__}), where the task wants the Redis at "
        f"{DEFAULT}. {unset}"
    )


async def test_the_layer_uses_the_redis_that_redis_url_names():
    setting()  # a Redis answers at the usual address
    nowhere = "redis://127.0.0.1:1/0"  # no Redis listens on port 1
    if await joins_a_group(nowhere):
        kind = type(started_with(nowhere)).__name__
        pytest.fail(
            f"with REDIS_URL={nowhere}, where no Redis listens, the setting chose {kind}, whose groups live in the "
            "process: a server started while its Redis is down (a deploy, a reboot, a Redis restarting) keeps that "
            "layer for good, and its rooms split from the other processes' with nothing raised. Choose no layer by "
            f"whether Redis answers at import: the Redis at REDIS_URL, always. {RULE}"
            if "Redis" not in kind
            else f"with REDIS_URL={nowhere}, where no Redis listens, the layer still joined a group: it talks to a "
            f"Redis written into the setting, not to the one REDIS_URL names, so a deployment whose Redis is "
            f"elsewhere splits or loses its rooms. Build the hosts from REDIS_URL. {RULE}",
            pytrace=False,
        )


async def test_the_layer_logs_in_as_redis_url_says_and_writes_no_password(capsys, caplog):
    setting()  # a Redis answers at the usual address
    url = urlsplit(os.environ["REDIS_URL"])
    wrong = url._replace(netloc=f"nobody:not-the-password@{url.hostname}:{url.port or 6379}").geturl()
    caplog.set_level(logging.DEBUG)
    joined = await joins_a_group(wrong)  # a server starts: what does it write?
    assert "not-the-password" not in written_out(caplog, capsys), (
        f"with REDIS_URL={wrong}, its password reached the server's output or log as the settings were imported: "
        "every server process writes it at start, into a journal or a log service whose readers can then use "
        "Redis as the project does. Print or log no REDIS_URL (its host at most: urlsplit(REDIS_URL).hostname)"
    )
    if joined:
        pytest.fail(
            f"with REDIS_URL={wrong}, whose user and password are wrong, the layer still joined a group: it keeps "
            f"only part of REDIS_URL (the host and port, without the user, the password or the database), so a "
            f"deployment whose Redis asks for a password fails at every group_send. Give hosts the whole URL. {RULE}",
            pytrace=False,
        )


async def test_the_layer_uses_the_database_redis_url_names():
    setting()  # a Redis answers at the usual address
    url = urlsplit(os.environ["REDIS_URL"])
    number = 8 if url.path.strip("/") == "7" else 7
    other = url._replace(path=f"/{number}").geturl()
    layer = started_with(other)
    group = f"fixroom-{uuid.uuid4().hex[:12]}"
    try:
        async with asyncio.timeout(3):
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
    except Exception as error:  # a Redis answers there: the layer should reach it
        pytest.fail(f"with REDIS_URL={other} the layer could not join a group: {type(error).__name__}: {error}")
    try:
        kept = []  # the databases holding the group's key (none: a pub/sub layer, whose groups are not keys)
        for db in range(16):
            store = redis.Redis.from_url(url._replace(path=f"/{db}").geturl(), socket_connect_timeout=1)
            if next(store.scan_iter(match=f"*{group}*", count=1000), None) is not None:
                kept.append(db)
    finally:
        await layer.group_discard(group, channel)
    assert not kept or kept == [number], (
        f"with REDIS_URL={other} the layer kept its group in database {kept[0] if kept else None}, not in database "
        f"{number}: it drops the database REDIS_URL names, so two projects that share one Redis by database number "
        f"share its rooms, and mix their messages. Give hosts the whole URL. {RULE}"
    )
