"""Check 16.1: a socket login throttled per username and per address, in Django's cache, before any password check.

The sixth wrong password for a name is refused unchecked, none logged; ten at once get five checked; every spelling of
a name counts against one counter; one password on many names meets the address limit; a good login takes back its own
attempt only; two processes share one count; a counter ends with its window; a cache down refuses a login, a slow one
never stalls the loop; every wrong shape gets an error.
"""

import asyncio
import logging
import time

import pytest
from django.contrib.auth.models import User
from redis import exceptions

from exercises.probes import BAD, TOO_MANY, answered, ask, ask_told, at_once, attempt, cache_down, cache_slow, tally
from exercises.probes import close_all, connect_from, five_of_ten_checked, imported_afresh, imported_with_a_sync_thread
from exercises.probes import never_blocks, no_password_written, passwords_checked, reads_meet, wrong_shapes_refused
from exercises.probes import every_spelling_counted

EXERCISE, GUESSER, NEIGHBOUR, RIGHT = "16.1", "203.0.113.7", "198.51.100.9", "analytical-engine"
RULE = "Count each attempt in Django's cache, by username (any spelling) and address, before checking its password"
UNAVAILABLE = {"error": "logging in is unavailable for a moment, try again later"}
LIMITS = {"LOGIN_FAILURES_PER_USERNAME": 5, "LOGIN_FAILURES_PER_ADDRESS": 20, "LOGIN_FAILURE_WINDOW": 300}


@pytest.fixture(autouse=True)
def limits(settings, caplog, transactional_db):  # committed rows: the consumer reads users in a database thread
    """The limits pinned, a fast hasher, every log record kept; ada (RIGHT) and mallory, a guesser, have accounts."""
    caplog.set_level(logging.DEBUG)
    for name, value in {**LIMITS, "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}.items():
        setattr(settings, name, value)
    User.objects.create_user("ada", password=RIGHT)
    User.objects.create_user("mallory", password="mallory-owns-this")


@pytest.fixture
def server():
    """LoginConsumer of the module imported afresh, as a new server process imports it: no count of an earlier test."""
    return imported_afresh(EXERCISE, RULE).LoginConsumer.as_asgi()


async def test_the_sixth_wrong_password_for_a_name_is_refused_unchecked(server, caplog, capsys):
    communicator, passwords = await connect_from(server, GUESSER), [*(f"guess-{n}" for n in range(6)), RIGHT]
    with passwords_checked() as checked:
        replies = [await ask(communicator, "ada", password) for password in passwords]
        assert replies == [BAD] * 5 + [TOO_MANY] * 2 and len(checked) == 5 and not communicator.future.done(), (
            f"the first 5 wrong passwords for ada must each get {BAD}, the 6th {TOO_MANY} without its password being "
            f"checked, and so must her right password then, the socket open: got {replies}, {len(checked)} checked"
        )
    await close_all(communicator)
    no_password_written(caplog, capsys, passwords, "the name and the address")


async def test_ten_wrong_passwords_sent_at_once_get_five_checked(server):
    sockets = [connect_from(server, GUESSER) for _ in range(10)]
    await five_of_ten_checked(sockets, "ten sockets", "5 may be: each attempt counts the moment it arrives")


async def test_every_spelling_of_a_name_counts_against_one_counter(server):
    await User.objects.filter(username="ada").adelete()  # no ada: a name that does not exist is counted too
    await User.objects.acreate_user("Grace", password=RIGHT)  # a name with a capital logs in as typed
    await every_spelling_counted(lambda: connect_from(server, GUESSER), lambda: connect_from(server, NEIGHBOUR))
    grace = await attempt(connect_from(server, NEIGHBOUR), "Grace", RIGHT)
    assert grace == {"username": "Grace"}, f"Grace's right password got {grace}: fold the counter's key, not her name"


async def test_one_password_tried_on_many_names_meets_the_address_limit(server, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    with passwords_checked() as checked:
        claiming = [connect_from(server, GUESSER, claims=f"10.0.0.{n}") for n in range(11)]  # each another address
        replies = await at_once([(socket, f"user{n}", "password1") for n, socket in enumerate(claiming)])
        neighbour = await attempt(connect_from(server, NEIGHBOUR), GUESSER, "password1")  # the guesser's address
    assert answered(replies, 10, 1) and neighbour == BAD and len(checked) == 11, (
        f"with LOGIN_FAILURES_PER_ADDRESS = 10, one address tried 11 names at once, each claiming another address in "
        f"X-Forwarded-For, X-Real-IP, Forwarded..., then another address tried the name {GUESSER!r}: {tally(replies)}, "
        f"then {neighbour}; expected 1 x {TOO_MANY}, then {BAD}"
    )


async def test_a_good_login_takes_back_its_own_attempt_and_nothing_more(server):
    with passwords_checked():
        again = [await attempt(connect_from(server, NEIGHBOUR), "ada", RIGHT) for _ in range(7)]
        assert again == [{"username": "ada"}] * 7, f"7 logins in a row by ada (7 tabs) must all work: {tally(again)}"
        first = [await attempt(connect_from(server, GUESSER), "ada", f"guess-{n}") for n in range(4)]
        await attempt(connect_from(server, NEIGHBOUR), "ada", RIGHT)  # ada herself, between two guesses
        guesses = [await attempt(connect_from(server, GUESSER), "ada", f"guess-{n}") for n in (4, 5)]
    assert guesses == [BAD, TOO_MANY], (
        f"4 guesses at ada ({tally(first)}), then ada logged in, then 2 more got {guesses}: her login took back her "
        "own attempt, not the guesser's 4"
    )
    server = imported_afresh(EXERCISE, RULE).LoginConsumer.as_asgi()
    with passwords_checked():
        [await attempt(connect_from(server, GUESSER), f"user{n}", "password1") for n in range(19)]
        own = await attempt(connect_from(server, GUESSER), "mallory", "mallory-owns-this")  # its own account
        after = [await attempt(connect_from(server, GUESSER), f"user{n}", "password1") for n in (19, 20)]
    assert own == {"username": "mallory"} and after == [BAD, TOO_MANY], (
        f"19 wrong names from one address, then its own account ({own}), then 2 more names got {after}: a good "
        "login must not forgive its address the failures of other names"
    )


async def test_two_server_processes_share_one_count():
    async def guesses(server) -> list:  # one process's 3 guesses at ada, while the other makes its own
        return [await attempt(connect_from(server, GUESSER), "ada", f"guess-{k}") for k in range(3)]

    servers = [imported_with_a_sync_thread(EXERCISE, RULE).LoginConsumer.as_asgi() for _ in "ab"]  # two Daphnes
    with passwords_checked() as checked, cache_slow(0.05), reads_meet():  # sharing a cache, as Redis
        replies = sum(await asyncio.gather(*map(guesses, servers)), [])
    assert len(checked) == 5 and answered(replies, 5, 1), (
        f"2 server processes each tried 3 wrong passwords for ada at once: {tally(replies)}, {len(checked)} checked: "
        "the count must live in Django's cache, which every process shares, counted in one step, not a get and a set"
    )


async def test_a_counter_ends_with_its_window(server, settings, monkeypatch):
    settings.LOGIN_FAILURE_WINDOW, settings.LOGIN_FAILURES_PER_USERNAME = 60, 3
    now, guess = [time.time()], lambda password: attempt(connect_from(server, GUESSER), "ada", password)
    monkeypatch.setattr(time, "time", lambda: now[0])  # the cache's clock and yours, moved by the check alone
    with passwords_checked() as checked:
        replies = [await guess(f"guess-{n}") for n in range(3)]
        now[0] += 30  # 30 s in: the window is on
        replies.append(await guess("guess-3"))
        now[0] += 45
        after = await checked.as_the_window_ends(guess(RIGHT))  # and this window ends while her password is checked
        guesses = [await guess(f"guess-{n}") for n in range(4, 8)]  # the next window
    assert replies == [BAD] * 3 + [TOO_MANY] and after == {"username": "ada"}, (
        f"with LOGIN_FAILURES_PER_USERNAME = 3 and LOGIN_FAILURE_WINDOW = 60 s, 3 wrong passwords, a 4th 30 s on, her "
        f"right one 45 s later got {replies}, {after}: a counter lasts the window from its first attempt (not its latest)"
    )
    assert guesses == [BAD] * 3 + [TOO_MANY], (
        f"the window ended while ada's right password was checked, then 4 wrong ones got {tally(guesses)}: a counter "
        "made again to take it back (at -1) gives a guesser one more password in the next window"
    )


async def test_a_cache_down_refuses_a_login_and_a_slow_one_never_stalls_the_loop(server):
    communicator = await connect_from(server, GUESSER)
    with passwords_checked() as checked, cache_down(exceptions.TimeoutError("Timeout reading from socket")):
        reply = await ask_told(communicator, "ada", RIGHT)  # Redis too slow to answer: no ConnectionError
    assert reply == UNAVAILABLE and not checked, (
        f"with the cache down (redis.exceptions.TimeoutError), ada's login got {reply}, {len(checked)} password(s) "
        f"checked: it must get {UNAVAILABLE}, unchecked, for any RedisError, or the throttle is off when nobody watches"
    )
    with passwords_checked(), cache_slow(0.1):  # back, but taking 0.1 s to answer each call
        async with never_blocks():
            back = await ask(communicator, "ada", RIGHT)
    assert back == {"username": "ada"}, f"once the cache was back, ada's login got {back}: the socket stays open"
    await close_all(communicator)


async def test_frames_of_every_wrong_shape_get_an_error(server):
    await wrong_shapes_refused(await connect_from(server, GUESSER), await connect_from(server, GUESSER))
