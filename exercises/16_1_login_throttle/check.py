"""Check 16.1: a socket login throttled per username and per address, in Django's cache, before any password check.

Most attempts open a socket of their own, as a guesser with many sockets
does; the passwords checked are counted where Django checks them
(ModelBackend.authenticate), whatever calls it. Each test imports your file
afresh, as a new server process does: only Django's cache and database are
shared between tests, and between the two processes of one test.
"""

import asyncio
import itertools
import json
from collections import Counter
from contextlib import contextmanager
from importlib.util import module_from_spec, spec_from_file_location
from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from exercises.probes import close_all, frame, load, proved, refused_with_error, target_path

RULE = (
    "Each login attempt is counted, before its password is checked, against its username (any spelling) and its "
    "address in Django's cache; over 5 for a name or 20 for an address it is refused unchecked"
)
GUESSER, NEIGHBOUR = "203.0.113.7", "198.51.100.9"
RIGHT = "analytical-engine"
BAD = {"error": "invalid username or password"}
TOO_MANY = {"error": "too many failed logins, try again later"}
UNAVAILABLE = {"error": "logging in is unavailable for a moment, try again later"}
PORTS = itertools.count(50000)
PROCESSES = itertools.count(1)  # each socket its own client port, as a real client's
# Every kind of wrong frame once: not JSON, each JSON type, each key missing or of the wrong type, a lone surrogate.
WRONG_SHAPES = ["not json", "{", *map(json.dumps, (None, True, 0, -1.5, "ada", [], ["ada", "pw"], {}))]
WRONG_SHAPES += [json.dumps(shape) for shape in ({"username": "ada"}, {"password": "pw"}, {"other": "ada"})]
WRONG_SHAPES += [json.dumps({"username": value, "password": "pw"}) for value in (None, 1, ["ada"], {"x": "ada"})]
WRONG_SHAPES += [json.dumps({"username": "ada", "password": value}) for value in (None, 1.5, ["pw"], True)]
WRONG_SHAPES += ['{"username": "\\ud800", "password": "pw"}', '{"username": "ada", "password": "\\udfff"}']
committed_db = pytest.mark.django_db(transaction=True)  # the consumer reads users in a database thread
LIMITS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    LOGIN_FAILURES_PER_USERNAME=5,
    LOGIN_FAILURES_PER_ADDRESS=20,
    LOGIN_FAILURE_WINDOW=300,
)
CACHE_CALLS = ("get", "set", "add", "incr", "decr", "delete", "get_many", "set_many", "has_key", "touch", "get_or_set")


class Checked(list):
    """The usernames whose password Django checked, in order."""

    window_ends = False  # True: the cache empties during each check, as when a window ends mid-hash


@contextmanager
def passwords_checked():
    """Counts the passwords Django checks (ModelBackend.authenticate), the cache empty before and after."""
    checked, original = Checked(), ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        if checked.window_ends:
            cache.clear()
        return original(self, request, username, password, **kwargs)

    cache.clear()
    with mock.patch.object(ModelBackend, "authenticate", counted):
        yield checked
    cache.clear()


def server_process():
    """Your file, imported afresh: a new server process (a file that does not import fails with a sentence)."""
    load("16.1", RULE)
    spec = spec_from_file_location(f"exercise_16_1_process_{next(PROCESSES)}", target_path("16.1"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def socket_from(module, address: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(module.LoginConsumer.as_asgi(), "/")
    communicator.scope["client"] = (address, next(PORTS))  # the application has not started yet: in time
    connected, code = await communicator.connect(timeout=1)
    assert connected, f"anyone may try to log in: the socket must be accepted, it was refused ({code})"
    return communicator


async def ask(communicator, username: str, password: str) -> object:
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    return await frame(communicator, timeout=2)


def tally(replies: list) -> str:
    """How many times each answer came: '5 x {"error": ...}, 5 x {"error": ...}'."""
    return ", ".join(f"{n} x {answer}" for answer, n in Counter(json.dumps(r) for r in replies).items())


async def attempt(module, address: str, username: str, password: str) -> object:
    """One attempt on a socket of its own: the answer."""
    communicator = await socket_from(module, address)
    reply = await ask(communicator, username, password)
    await close_all(communicator)
    return reply


@LIMITS
@committed_db
async def test_the_sixth_wrong_password_for_a_name_is_refused_unchecked():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    communicator = await socket_from(server, GUESSER)
    with passwords_checked() as checked:
        replies = [await ask(communicator, "ada", f"guess-{n}") for n in range(6)]
        assert replies[:5] == [BAD] * 5, f"the first 5 wrong passwords for ada must each get {BAD}, got {replies[:5]}"
        assert replies[5] == TOO_MANY and len(checked) == 5, (
            f"the 6th wrong password for ada in a row was answered {replies[5]} after {len(checked)} passwords were "
            f"checked: it must get {TOO_MANY} without its password being checked. {RULE}"
        )
        assert await ask(communicator, "ada", RIGHT) == TOO_MANY and not communicator.future.done(), (
            "a refused attempt keeps the socket open, and the name stays locked for the window: its right "
            f"password too must get {TOO_MANY}"
        )
    await close_all(communicator)


@LIMITS
@committed_db
async def test_ten_wrong_passwords_sent_at_once_get_five_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    guesser = [await socket_from(server, GUESSER) for _ in range(10)]
    proved("sockets", 10)
    with passwords_checked() as checked:
        for n, communicator in enumerate(guesser):
            await communicator.send_to(text_data=json.dumps({"username": "ada", "password": f"guess-{n}"}))
        replies = [await frame(communicator, timeout=2) for communicator in guesser]
    assert len(checked) == 5 and sorted(map(str, replies)) == sorted(map(str, [BAD] * 5 + [TOO_MANY] * 5)), (
        f"ten sockets sent ada a wrong password at the same moment: {len(checked)} passwords were checked, and the "
        f"answers were {tally(replies)}. Only 5 may be checked; every attempt counts the moment it arrives"
    )
    await close_all(*guesser)


@LIMITS
@committed_db
async def test_every_spelling_of_a_name_counts_against_one_counter():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    spellings = ["ada", "Ada", "ADA", "aDa", "\uff41\uff44\uff41"]  # the last in full-width letters
    with passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, spelling, "password1") for spelling in spellings]
        sixth = await attempt(server, NEIGHBOUR, "ada", "password2")
    assert replies == [BAD] * 5 and sixth == TOO_MANY and len(checked) == 5, (
        f"{', '.join(spellings)} were each tried once, then ada from another address got {sixth}: every spelling of "
        f"a name is one person to a guesser and counts against one counter ({len(checked)} passwords checked, 5 allowed)"
    )


@LIMITS
@committed_db
async def test_one_password_tried_on_many_names_meets_the_address_limit():
    server = server_process()
    with passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, f"user{n}", "password1") for n in range(21)]
        neighbour = await attempt(server, NEIGHBOUR, "user21", "password1")
    assert replies[:20] == [BAD] * 20, f"20 attempts from one address are allowed, each checked, got {replies[:20]}"
    assert replies[20] == TOO_MANY, (
        f"one address tried 21 names, once each, on 21 sockets: the 21st must get {TOO_MANY}, got {replies[20]}. "
        "A per-name limit alone lets one password be tried on every name"
    )
    assert neighbour == BAD and len(checked) == 21, (
        f"another address has a count of its own: its first attempt must be checked ({BAD}), got {neighbour}"
    )


@LIMITS
@committed_db
async def test_logging_in_again_and_again_never_locks_anyone_out():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    with passwords_checked():
        replies = [await attempt(server, NEIGHBOUR, "ada", RIGHT) for _ in range(7)]
    assert replies == [{"username": "ada"}] * 7, (
        f"ada logged in 7 times in a row with her right password (7 tabs): each must work, got {replies}. A login "
        "that works takes its own attempt back"
    )


@LIMITS
@committed_db
async def test_a_good_login_takes_back_its_own_attempt_and_nothing_more():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    await User.objects.acreate_user("mallory", password="mallory-owns-this")
    with passwords_checked():
        for n in range(4):
            await attempt(server, GUESSER, "ada", f"guess-{n}")
        await attempt(server, NEIGHBOUR, "ada", RIGHT)  # ada herself, between two guesses
        guesses = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in (4, 5)]
    assert guesses == [BAD, TOO_MANY], (
        f"4 guesses at ada, then ada logged in, then 2 more guesses got {guesses}: her login took back her own "
        f"attempt, not the guesser's 4. {RULE}"
    )
    server = server_process()
    with passwords_checked():
        for n in range(19):
            await attempt(server, GUESSER, f"user{n}", "password1")
        own = await attempt(server, GUESSER, "mallory", "mallory-owns-this")
        after = [await attempt(server, GUESSER, f"user{n}", "password1") for n in (19, 20)]
    assert own == {"username": "mallory"} and after == [BAD, TOO_MANY], (
        f"19 wrong names from one address, then the guesser logged in to its own account ({own}), then 2 more "
        f"names got {after}: a good login must not forgive its address the failures of other names"
    )


@LIMITS
@committed_db
async def test_two_server_processes_share_one_count():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    second = server_process()  # a second Daphne process, sharing Django's cache as Redis would be shared
    with passwords_checked() as checked:
        for n in range(5):
            await attempt(second if n % 2 else server, GUESSER, "ada", f"guess-{n}")
        sixth = await attempt(server, GUESSER, "ada", "guess-5")
    assert sixth == TOO_MANY and len(checked) == 5, (
        f"5 wrong passwords for ada went to two server processes, then the 6th got {sixth} ({len(checked)} checked): "
        "the count must live in Django's cache, which every process shares, not in a process's memory"
    )


@LIMITS
@committed_db
async def test_a_counter_ends_with_its_window():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    with override_settings(LOGIN_FAILURE_WINDOW=1), passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in range(6)]
        await asyncio.sleep(1.2)
        checked.window_ends = True  # and this window ends while her password is checked
        after = await attempt(server, GUESSER, "ada", RIGHT)
    assert replies[-1] == TOO_MANY and after == {"username": "ada"}, (
        f"with LOGIN_FAILURE_WINDOW = 1 s, ada was locked ({replies[-1]}), and 1.2 s later her right password got "
        f"{after}: a counter lasts the window from its first attempt, then the name may try again"
    )


@LIMITS
@committed_db
async def test_with_the_cache_down_a_login_is_refused_unchecked():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = server_process()
    communicator = await socket_from(server, GUESSER)
    down = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    # On the class: each thread has a cache object of its own, and the counting may run in a thread.
    calls = {name: mock.DEFAULT for name in CACHE_CALLS}
    with passwords_checked() as checked, mock.patch.multiple(type(caches["default"]), **calls) as patched:
        for call in patched.values():
            call.side_effect = down
        reply = await ask(communicator, "ada", RIGHT)
    assert reply == UNAVAILABLE and not checked, (
        f"with the cache down (redis.exceptions.ConnectionError), ada's login got {reply}, and {len(checked)} "
        f"password(s) were checked: it must get {UNAVAILABLE}, unchecked. A throttle that lets attempts through uncounted "
        "is off exactly when nobody is watching"
    )
    with passwords_checked():
        assert await ask(communicator, "ada", RIGHT) == {"username": "ada"}, (
            "once the cache is back, the same socket must log ada in: a refusal keeps the socket open"
        )
    await close_all(communicator)


@LIMITS
@committed_db
async def test_frames_of_every_wrong_shape_get_an_error():
    communicator, other = await socket_from(server_process(), GUESSER), await socket_from(server_process(), GUESSER)
    with passwords_checked():
        for text in WRONG_SHAPES:
            await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(WRONG_SHAPES))
    await close_all(communicator, other)
