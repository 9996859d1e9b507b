"""Check 16.2 (fix): a login throttle counts each attempt as it arrives, so ten sockets at once get five checks.

Ten wrong passwords sent at once get five checked, to one server process or two; the sixth in a row is refused
unchecked, and no password is logged; logging in again and again never locks anyone out; a good login takes back
only its own attempt; a cache slow to answer never stalls the loop, and one that is down lets no password be
checked; every wrong shape gets an error. The passwords checked are counted where Django checks them
(ModelBackend.authenticate), whatever calls it.
"""

import asyncio
import json
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from asgiref.sync import ThreadSensitiveContext
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.test import override_settings

from exercises.probes import cache_down, cache_slow, close_all, connect, frame, imported_afresh, load, login_bad_frames
from exercises.probes import never_blocks, passwords_checked, proved, reads_meet, refused_with_error, tally
from exercises.probes import written_out

EXERCISE = "16.2"
RULE = "A name gets at most 5 passwords checked in a window, however many sockets ask at once"
RIGHT = "analytical-engine"
BAD = {"error": "invalid username or password"}
TOO_MANY = {"error": "too many failed logins, try again later"}
AUTHENTICATE = ModelBackend.authenticate
committed_db = pytest.mark.django_db(transaction=True)  # the consumer reads users in a database thread
LIMITS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    LOGIN_FAILURES_PER_USERNAME=5,
    LOGIN_FAILURE_WINDOW=300,
)


def hashing(backend, *args, **kwargs):
    """ModelBackend.authenticate taking as long as a real password hash (50 ms here), the GIL released meanwhile."""
    time.sleep(0.05)
    return AUTHENTICATE(backend, *args, **kwargs)


async def login_socket():
    return await connect(load(EXERCISE, RULE).LoginConsumer.as_asgi())


async def ask(communicator, username: str, password: str) -> object:
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    return await frame(communicator)


async def attempt(username: str, password: str) -> object:
    """One attempt on a socket of its own: the answer."""
    communicator = await login_socket()
    reply = await ask(communicator, username, password)
    await close_all(communicator)
    return reply


@LIMITS
@committed_db
async def test_ten_wrong_passwords_sent_at_once_get_five_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    guesser = [await login_socket() for _ in range(10)]
    proved("sockets", 10)
    with passwords_checked() as checked:
        for n, communicator in enumerate(guesser):
            await communicator.send_to(text_data=json.dumps({"username": "ada", "password": f"guess-{n}"}))
        replies = await asyncio.gather(*(frame(communicator) for communicator in guesser))
    assert len(checked) == 5 and Counter(map(json.dumps, replies)) == {json.dumps(BAD): 5, json.dumps(TOO_MANY): 5}, (
        f"ten sockets sent ada a wrong password at the same moment: {len(checked)} passwords were checked, and the "
        f"answers were {tally(replies)}. {RULE}"
    )
    await close_all(*guesser)


@LIMITS
@committed_db
async def test_ten_wrong_passwords_sent_at_once_to_two_processes_get_five_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    first, second = (imported_afresh(EXERCISE, RULE).LoginConsumer.as_asgi() for _ in range(2))
    thread = ThreadPoolExecutor(max_workers=1)  # the second Daphne process's own sync thread

    async def second_process(scope, receive, send):
        async with ThreadSensitiveContext(executor=thread):
            return await second(scope, receive, send)

    guesser = [await connect(application) for application in [first] * 5 + [second_process] * 5]
    hashed = mock.patch.object(ModelBackend, "authenticate", hashing)
    with hashed, passwords_checked() as checked, cache_slow(0.02), reads_meet():  # both processes read, then write
        for n, communicator in enumerate(guesser):
            await communicator.send_to(text_data=json.dumps({"username": "ada", "password": f"guess-{n}"}))
        replies = await asyncio.gather(*(frame(communicator) for communicator in guesser))
    await close_all(*guesser)
    thread.shutdown()
    assert len(checked) == 5 and Counter(map(json.dumps, replies)) == {json.dumps(BAD): 5, json.dumps(TOO_MANY): 5}, (
        f"ten sockets, five on each of two server processes, sent ada a wrong password at the same moment: "
        f"{len(checked)} passwords were checked, and the answers were {tally(replies)}. A lock, or one thread, keeps "
        "one process in order, never two: count with one atomic cache.incr() (never a get, then a set) and judge the "
        "count it returns"
    )


@LIMITS
@committed_db
async def test_the_sixth_wrong_password_in_a_row_is_refused_unchecked(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await login_socket()
    with passwords_checked() as checked:
        replies = [await ask(communicator, "ada", f"guess-{n}") for n in range(6)]
        assert replies == [BAD] * 5 + [TOO_MANY] and len(checked) == 5, (
            f"six wrong passwords for ada in a row got {tally(replies)}, {len(checked)} of them checked: the first 5 "
            f"must each get {BAD}, the 6th {TOO_MANY}, unchecked"
        )
        assert await ask(communicator, "ada", RIGHT) == TOO_MANY and not communicator.future.done(), (
            f"while the name is locked its right password too must get {TOO_MANY}, and the socket stays open"
        )
        now = time.time
        with mock.patch("time.time", lambda: now() + 301):  # the window (300 s) over, for the cache and for you
            got = await ask(communicator, "ada", RIGHT)
        assert got == {"username": "ada"}, (
            f"301 s after the first of those failures, past LOGIN_FAILURE_WINDOW (300 s), ada's right password got "
            f"{got}: a counter lasts the window, then the name may try again (a counter without a timeout locks a "
            "name for good, and lets anyone lock out anyone by name)"
        )
    await close_all(communicator)
    written = written_out(caplog, capsys)
    assert not (leaked := [p for p in [*(f"guess-{n}" for n in range(6)), RIGHT] if p in written]), (
        f"the passwords {leaked} reached the server's log or output: a password is never logged or printed, checked "
        "or refused, right or wrong (a guess may be someone's real password with a typo); log the name at most"
    )


@LIMITS
@committed_db
async def test_logging_in_again_and_again_never_locks_anyone_out():
    await User.objects.acreate_user("ada", password=RIGHT)
    with passwords_checked():
        replies = [await attempt("ada", RIGHT) for _ in range(7)]
    with passwords_checked() as checked:
        checked.window_ends = True
        replies.append(await attempt("ada", RIGHT))  # her window ends while her password is checked
        checked.window_ends = False
        guesses = [await attempt("ada", f"guess-{n}") for n in range(6)]  # the next window: 5 checked
    assert replies == [{"username": "ada"}] * 8, (
        f"ada logged in 8 times in a row with her right password (8 tabs, the last as her counter's window ended): "
        f"each must work, got {tally(replies)}"
    )
    assert guesses == [BAD] * 5 + [TOO_MANY], (
        f"ada's counter's window ended while her right password was checked, then 6 wrong passwords for her got "
        f"{tally(guesses)}: her attempt went with that window, so there was nothing to take back; a counter made "
        "again to take it back (at -1) gives a guesser a 6th password in the next window. Take back with "
        "cache.decr(), which raises ValueError when the counter is gone: then take back nothing"
    )


@LIMITS
@committed_db
async def test_a_good_login_takes_back_only_its_own_attempt():
    await User.objects.acreate_user("ada", password=RIGHT)
    with passwords_checked():
        first = [await attempt("ada", f"guess-{n}") for n in range(2)]  # 2 guesses; then ada and 2 more at once
        sockets = [await login_socket() for _ in range(3)]
        for n, communicator in enumerate(sockets):
            await communicator.send_to(
                text_data=json.dumps({"username": "ada", "password": f"guess-{n + 1}" if n else RIGHT})
            )
        own, *first[2:] = await asyncio.gather(*(frame(communicator) for communicator in sockets))
        await close_all(*sockets)
        guesses = [await attempt("ada", f"guess-{n}") for n in (5, 6)]
    assert own == {"username": "ada"} and guesses == [BAD, TOO_MANY], (
        f"2 guesses at ada, then ada logged in ({own}) while 2 more came at the same moment ({tally(first)} in all), "
        f"then 2 more guesses got {guesses}: her login may take back her own attempt, one (cache.decr), never the "
        "guesser's 4, nor write back a count it read before they came (cache.set)"
    )


@LIMITS
@committed_db
async def test_a_cache_slow_to_answer_never_stalls_the_event_loop():
    await User.objects.acreate_user("ada", password=RIGHT)
    with passwords_checked(), cache_slow(0.1):  # each call as slow as a Redis across a busy network
        async with never_blocks():
            reply = await attempt("ada", RIGHT)
    assert reply == {"username": "ada"}, f"with each cache call taking 0.1 s, ada's right password got {reply}"


@LIMITS
@committed_db
async def test_a_cache_that_is_down_lets_no_password_be_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await login_socket()
    with passwords_checked() as checked, cache_down():  # Redis refusing connections: every cache call raises
        await communicator.send_to(text_data=json.dumps({"username": "ada", "password": "guess"}))
        try:
            reply = await frame(communicator)
        except pytest.fail.Exception as crash:  # the attempt stopped by the cache's error (1011): not checked
            reply = f"no answer ({str(crash).split(';')[0]})"
    assert not checked, (
        f"with the cache down (Redis refusing connections), ada's password was checked anyway (the answer: {reply}): "
        "a throttle that lets attempts through uncounted is off exactly when a guesser can take down its store. "
        "When the attempt cannot be counted, refuse it; never check its password"
    )
    if not communicator.future.done():  # a consumer the cache's error ended (1011) has nothing left to close
        await close_all(communicator)


@LIMITS
@committed_db
async def test_frames_of_every_wrong_shape_get_an_error():
    communicator, other = await login_socket(), await login_socket()
    frames = [*login_bad_frames(), "[" * 100_000]  # nested too deep: json.loads raises RecursionError, no ValueError
    with passwords_checked():
        for text in frames:
            await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(frames))
    await close_all(communicator, other)
