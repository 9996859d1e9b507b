"""The checks' probes (exercises/probes/) do not take a crashed consumer for a quiet one, and do what they say."""

import ast
import asyncio
import functools
import importlib
import random
import types
from pathlib import Path

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator

from exercises import probes
from exercises.probes import close_all, frame, never_sleeps, nothing_more, uneven_broadcasts
from harness.patience import FRAME


class CrashesOnAFrame(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        raise KeyError("bytes")  # what `event["bytes"]` raises for a text frame


async def crashed_during_a_quiet_wait() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(CrashesOnAFrame.as_asgi(), "/")
    await communicator.connect()
    await communicator.send_to(text_data="hello")
    return communicator


async def test_nothing_more_fails_the_check_on_a_consumer_that_crashed_quietly():
    communicator = await crashed_during_a_quiet_wait()
    await asyncio.wait([communicator.future], timeout=FRAME)  # the crash has happened, however busy the machine
    # asgiref's receive_nothing() watches only what the consumer sends: a crash sends nothing.
    with pytest.raises(pytest.fail.Exception, match="your code raised KeyError"):
        await nothing_more(communicator, 0.01)


async def test_closing_a_socket_whose_consumer_had_crashed_fails_the_check():
    communicator = await crashed_during_a_quiet_wait()
    await asyncio.wait([communicator.future], timeout=FRAME)  # the crash happens; nobody reads it
    with pytest.raises(pytest.fail.Exception, match="your code raised KeyError"):
        await close_all(communicator)


class AnswersEveryFrame(AsyncConsumer):
    """Answers each frame with a websocket.send whose "text" is `text`, whatever that is."""

    text: object = None

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": self.text})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


@pytest.mark.parametrize(
    "text, said",
    [
        (b'{"ok": true}', "a frame whose text is bytes (b'{\"ok\": true}')"),  # json.dumps(...).encode()
        ({"ok": True}, "a frame whose text is a dict ({'ok': True}), not a str"),  # json.dumps() forgotten
    ],
)
async def test_frame_names_a_text_frame_whose_text_is_no_str_instead_of_decoding_it(text, said):
    answering = type("Answering", (AnswersEveryFrame,), {"text": text})  # raw consumers take no init arguments
    communicator = WebsocketCommunicator(answering.as_asgi(), "/")
    await communicator.connect()
    await communicator.send_to(text_data="hello")
    got = await frame(communicator)
    await communicator.disconnect()
    assert isinstance(got, str) and got.startswith(said)


def test_kept_by_grown_since_and_holding_name_what_a_module_and_its_classes_hold():
    module = types.ModuleType("student")
    module.SOCKETS, module.LIMIT = {}, 5
    module.Consumer = type("Consumer", (), {"seen": [], "__module__": "student"})
    module.name_of = functools.cache(str)
    before = probes.kept_by(module)
    module.SOCKETS["a"] = 1
    module.Consumer.seen.append("a")
    module.name_of("room")
    assert before == {"SOCKETS": 0, "Consumer.seen": 0, "name_of": 0}
    grown = "SOCKETS holds 1 more item(s), Consumer.seen holds 1 more item(s), name_of holds 1 more item(s)"
    assert probes.grown_since(before, module) == grown
    assert probes.holding(module, "a") == ["SOCKETS", "Consumer.seen"] and probes.holding(module, "b") == []


async def test_on_the_clock_stands_in_for_the_time_a_module_reads_and_may_leave_its_sleep(monkeypatch):
    import time

    module = types.ModuleType("student")
    module.time, module.monotonic = time, time.monotonic
    clock = probes.on_the_clock(monkeypatch, module, probes.Clock("rule"), sleeps=False)
    started = asyncio.get_running_loop().time()
    await clock.passes(0.05)  # on the Clock, and for real too
    assert module.time.monotonic() == module.monotonic() == pytest.approx(1000.05) and module.time.sleep is time.sleep
    assert asyncio.get_running_loop().time() - started >= 0.05


async def test_uneven_broadcasts_let_a_broadcast_started_and_left_be_overtaken():
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    with uneven_broadcasts():
        for text in ("one", "two", "three"):  # awaited one after the other: in order, whatever each takes
            await layer.group_send("room", {"type": "chat.message", "message": text})
        started = [  # started at once and left: the later, quicker round trips arrive first
            asyncio.ensure_future(layer.group_send("room", {"type": "chat.message", "message": text}))
            for text in ("four", "five", "six")
        ]
        await asyncio.gather(*started)
    heard = [(await layer.receive(channel))["message"] for _ in range(6)]
    assert heard == ["one", "two", "three", "six", "five", "four"]


def test_never_sleeps_sees_a_time_sleep_in_checked_code_and_no_other(monkeypatch):
    import time

    from exercises.probes import loop

    with never_sleeps():
        time.sleep(0)  # this file is not under check: a sleep here is the check's own business
    monkeypatch.setattr(loop, "CHECKED_FILES", {__file__})  # where in_checked_code() reads it
    with pytest.raises(pytest.fail.Exception, match="time.sleep ran on the event loop in your code"):
        with never_sleeps():
            time.sleep(0)


def count_users() -> int:
    from django.contrib.auth.models import User

    return User.objects.count()


@pytest.mark.django_db(transaction=True)
async def test_database_sync_to_asyncs_pool_passes_and_a_plain_pool_does_not():
    from asgiref.sync import sync_to_async
    from channels.db import database_sync_to_async

    from exercises.probes import orm_where_it_belongs, queries_by_thread

    with queries_by_thread() as ran:  # lesson 08's pool: it closes stale connections around each call
        await database_sync_to_async(count_users)()
        await asyncio.gather(*(database_sync_to_async(count_users, thread_sensitive=False)() for _ in range(4)))
    orm_where_it_belongs(ran, "")
    with queries_by_thread() as ran:  # a pool that closes nothing: a connection left open on each thread
        await database_sync_to_async(count_users)()
        await sync_to_async(count_users, thread_sensitive=False)()
    with pytest.raises(AssertionError, match="sync_to_async\\(f, thread_sensitive=False\\)"):
        orm_where_it_belongs(ran, "")


def test_reads_meet_makes_two_threads_read_before_either_writes():
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache

    cache.set("reads-meet-count", 0)

    def read_then_write() -> None:  # the get-then-set a check must reject: two processes lose a count
        cache.set("reads-meet-count", cache.get("reads-meet-count") + 1)

    with probes.reads_meet(), ThreadPoolExecutor(max_workers=2) as threads:
        list(threads.map(lambda _: read_then_write(), range(2)))
    assert cache.get("reads-meet-count") == 1


def test_shown_part_finds_a_secrets_start_cut_short_in_a_line():
    line = "channel layer: Redis at redis://nobody:not-the-passwor..."
    assert probes.shown_part(line, "not-the-password", 8) == "not-the-"


def test_shown_part_finds_nothing_where_no_run_of_the_secret_is_written():
    assert probes.shown_part("login failed for ada (password not-the-...)", "not-the-password", 10) == ""


def test_no_probe_module_is_named_like_a_probe_the_package_exports():
    # `import exercises.probes.members` would rebind the package's `members` (a function every check imports)
    # to the module, for every check run after it in the same process: "'module' object is not callable".
    exported = {
        alias.asname or alias.name: node.module
        for node in ast.parse(Path(probes.__file__).read_text(encoding="utf-8")).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    modules = {path.stem for path in Path(probes.__file__).parent.glob("*.py")}
    # A module's own name exported from itself (served.served) is safe: the module is loaded before the name is bound.
    assert {name for name in modules & exported.keys() if exported[name] != f"exercises.probes.{name}"} == set()


def test_distance_from_even_passes_even_draws_and_refuses_ones_bunched_in_the_middle():
    backoff = importlib.import_module("exercises.14_2_reconnect_delay.probes")  # 14.2's own: a folder name of digits
    distance_from_even, even_within = backoff.distance_from_even, backoff.even_within

    rng = random.Random(14)  # fixed: the probe's verdict on these draws is part of the claim
    even = [rng.random() for _ in range(2000)]
    bunched = [(rng.random() + rng.random()) / 2 for _ in range(2000)]  # the mean of two draws: same range and mean
    assert distance_from_even(even) < even_within(2000) < distance_from_even(bunched)
    assert distance_from_even([0.5]) == 0.5  # one draw: half the range below it, half above
