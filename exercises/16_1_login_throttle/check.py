"""Check 16.1: a socket login throttled per username and per address, in Django's cache, before any password check.

The sixth wrong password for a name is refused unchecked, and no password is logged; ten sent at once get five
checked; every spelling of a name counts against one counter; one password tried on many names meets the address
limit; a good login takes back its own attempt only; two server processes share one count; a counter ends with its
window; a cache that is down refuses a login, and a slow one never stalls the loop; every wrong shape gets an error.
"""

import asyncio
import json
import logging
import time
from contextlib import ExitStack
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from redis import exceptions

from exercises.probes import cache_down, cache_slow, close_all, connect_from, frame, imported_afresh
from exercises.probes import imported_with_a_sync_thread, login_bad_frames, never_blocks, passwords_checked, proved
from exercises.probes import reads_meet, refused_with_error, tally, written_out

EXERCISE = "16.1"
RULE = "Count each attempt in Django's cache, by username (any spelling) and address, before checking its password"
GUESSER, NEIGHBOUR, RIGHT = "203.0.113.7", "198.51.100.9", "analytical-engine"
BAD, TOO_MANY = {"error": "invalid username or password"}, {"error": "too many failed logins, try again later"}
UNAVAILABLE = {"error": "logging in is unavailable for a moment, try again later"}
FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LIMITS = {"LOGIN_FAILURES_PER_USERNAME": 5, "LOGIN_FAILURES_PER_ADDRESS": 20, "LOGIN_FAILURE_WINDOW": 300}


def login_test(test):
    """The limits pinned, a fast hasher, and a database whose rows the consumer's database thread sees."""
    return override_settings(PASSWORD_HASHERS=FAST, **LIMITS)(pytest.mark.django_db(transaction=True)(test))


async def socket_from(module, address: str, forged: str = ""):
    """A socket from `address`; with `forged`, it claims that address in every proxy's header, as any client may."""
    return await connect_from(module.LoginConsumer.as_asgi(), address, claims=forged)


async def ask(communicator, username: str, password: str) -> object:
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    return await frame(communicator)


async def attempt(module, address: str, username: str, password: str, forged: str = "") -> object:
    communicator = await socket_from(module, address, forged)
    reply = await ask(communicator, username, password)
    await close_all(communicator)
    return reply


@login_test
async def test_the_sixth_wrong_password_for_a_name_is_refused_unchecked(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await socket_from(imported_afresh(EXERCISE, RULE), GUESSER)
    passwords = [*(f"guess-{n}" for n in range(6)), RIGHT]
    with passwords_checked() as checked:
        replies = [await ask(communicator, "ada", password) for password in passwords]
        assert replies == [BAD] * 5 + [TOO_MANY] * 2 and len(checked) == 5 and not communicator.future.done(), (
            f"the first 5 wrong passwords for ada must each get {BAD}, the 6th {TOO_MANY} without its password being "
            f"checked, and so must her right password then, the socket open: got {replies}, {len(checked)} checked"
        )
    await close_all(communicator)
    written = written_out(caplog, capsys)
    assert not (leaked := [password for password in passwords if password in written]), (
        f"the passwords {leaked} reached the server's log or output: a password is never logged or printed, checked "
        "or refused, right or wrong (a guess may be someone's real password with a typo); log the name and the "
        "address at most"
    )


@login_test
async def test_ten_wrong_passwords_sent_at_once_get_five_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh(EXERCISE, RULE)
    guesser = [await socket_from(server, GUESSER) for _ in range(10)]
    proved("sockets", 10)
    with passwords_checked() as checked:
        for n, communicator in enumerate(guesser):
            await communicator.send_to(text_data=json.dumps({"username": "ada", "password": f"guess-{n}"}))
        replies = await asyncio.gather(*(frame(communicator) for communicator in guesser))
    assert len(checked) == 5 and sorted(map(str, replies)) == sorted(map(str, [BAD] * 5 + [TOO_MANY] * 5)), (
        f"ten sockets sent ada a wrong password at the same moment: {len(checked)} passwords were checked "
        f"({tally(replies)}), 5 may be: every attempt counts the moment it arrives"
    )
    await close_all(*guesser)


@login_test
async def test_every_spelling_of_a_name_counts_against_one_counter():
    await User.objects.acreate_user("Grace", password=RIGHT)  # a name with a capital logs in as typed; no ada
    server = imported_afresh(EXERCISE, RULE)
    spellings = ["ada", "Ada", "ADA", "aDa", "\uff41\uff44\uff41"]  # the last in full-width letters
    with passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, spelling, "password1") for spelling in spellings]
        sixth = await attempt(server, NEIGHBOUR, "ada", "password2")
    grace = await attempt(server, NEIGHBOUR, "Grace", RIGHT)
    assert grace == {"username": "Grace"}, f"Grace's right password got {grace}: fold the counter's key, not her name"
    assert replies == [BAD] * 5 and sixth == TOO_MANY and len(checked) == 5, (
        f"{', '.join(spellings)} were each tried once, then ada from another address got {sixth}: every spelling of "
        f"a name is one person to a guesser and counts against one counter ({len(checked)} passwords checked, 5 allowed)"
    )


@login_test
async def test_one_password_tried_on_many_names_meets_the_address_limit():
    server = imported_afresh(EXERCISE, RULE)
    with override_settings(LOGIN_FAILURES_PER_ADDRESS=10), passwords_checked() as checked:
        guesser = [await socket_from(server, GUESSER, f"10.0.0.{n}") for n in range(11)]
        for n, communicator in enumerate(guesser):  # 11 names at once, each socket claiming another address
            await communicator.send_to(text_data=json.dumps({"username": f"user{n}", "password": "password1"}))
        replies = await asyncio.gather(*(frame(communicator) for communicator in guesser))
        await close_all(*guesser)
        neighbour = await attempt(server, NEIGHBOUR, GUESSER, "password1")  # a name that is the guesser's address
    one_refused = tally(sorted(replies, key=str)) == tally([BAD] * 10 + [TOO_MANY])
    assert one_refused and neighbour == BAD and len(checked) == 11, (
        f"with LOGIN_FAILURES_PER_ADDRESS = 10, one address tried 11 names at once on 11 sockets, each claiming "
        f"another address in X-Forwarded-For, X-Real-IP, Forwarded and the like, then another address tried the "
        f"name {GUESSER!r}: got {tally(replies)}, then {neighbour}; expected 1 x {TOO_MANY}, then {BAD}. Count each "
        "attempt as it comes, by scope['client'][0] (never a header), against the setting, apart from every "
        "name's: or one password tries all"
    )


@login_test
async def test_a_good_login_takes_back_its_own_attempt_and_nothing_more():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh(EXERCISE, RULE)
    await User.objects.acreate_user("mallory", password="mallory-owns-this")
    with passwords_checked():
        again = [await attempt(server, NEIGHBOUR, "ada", RIGHT) for _ in range(7)]
        assert again == [{"username": "ada"}] * 7, f"7 logins in a row by ada (7 tabs) must all work: {tally(again)}"
        first = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in range(4)]
        await attempt(server, NEIGHBOUR, "ada", RIGHT)  # ada herself, between two guesses
        guesses = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in (4, 5)]
    assert guesses == [BAD, TOO_MANY], (
        f"4 guesses at ada ({tally(first)}), then ada logged in, then 2 more guesses got {guesses}: her login took "
        f"back her own attempt, not the guesser's 4. {RULE}"
    )
    server = imported_afresh(EXERCISE, RULE)
    with passwords_checked():
        [await attempt(server, GUESSER, f"user{n}", "password1") for n in range(19)]
        own = await attempt(server, GUESSER, "mallory", "mallory-owns-this")
        after = [await attempt(server, GUESSER, f"user{n}", "password1") for n in (19, 20)]
    assert own == {"username": "mallory"} and after == [BAD, TOO_MANY], (
        f"19 wrong names from one address, then the guesser logged in to its own account ({own}), then 2 more "
        f"names got {after}: a good login must not forgive its address the failures of other names"
    )


@login_test
async def test_two_server_processes_share_one_count():
    await User.objects.acreate_user("ada", password=RIGHT)

    async def guesses(server) -> list:  # one process's 3 guesses at ada, while the other makes its own
        return [await attempt(server, GUESSER, "ada", f"guess-{k}") for k in range(3)]

    with passwords_checked() as checked, cache_slow(0.05), reads_meet():  # two Daphnes sharing a cache, as Redis
        replies = sum(await asyncio.gather(*(guesses(imported_with_a_sync_thread(EXERCISE, RULE)) for _ in "ab")), [])
    assert len(checked) == 5 and sorted(map(str, replies)) == sorted(map(str, [BAD] * 5 + [TOO_MANY])), (
        f"2 server processes each tried 3 wrong passwords for ada at once: {tally(replies)}, {len(checked)} checked: "
        "the count must live in Django's cache, which every process shares, counted in one step, not a get and a set"
    )


@login_test
async def test_a_counter_ends_with_its_window():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh(EXERCISE, RULE)
    now = [time.time()]  # the cache's clock (and yours), moved by the check alone: no verdict races the machine
    with mock.patch("time.time", lambda: now[0]), override_settings(LOGIN_FAILURE_WINDOW=60):
        with override_settings(LOGIN_FAILURES_PER_USERNAME=3), passwords_checked() as checked:
            replies = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in range(3)]
            now[0] += 30
            replies.append(await attempt(server, GUESSER, "ada", "guess-3"))  # 30 s in: the window is on
            now[0] += 45
            checked.window_ends = True  # and this window ends while her password is checked
            after = await attempt(server, GUESSER, "ada", RIGHT)
            checked.window_ends = False
            guesses = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in range(4, 8)]  # the next window
    assert replies == [BAD] * 3 + [TOO_MANY] and after == {"username": "ada"}, (
        f"with LOGIN_FAILURES_PER_USERNAME = 3 and LOGIN_FAILURE_WINDOW = 60 s, 3 wrong passwords for ada, and a 4th "
        f"30 s later, got {tally(replies)}; 75 s after the first her right password got {after}. The limits are "
        "read from settings when you count, and a counter lasts the window from its first attempt (not its latest)"
    )
    assert guesses == [BAD] * 3 + [TOO_MANY], (
        f"the window ended while ada's right password was checked, then 4 wrong passwords for her got {tally(guesses)}"
        ": her attempt went with that window, so there was nothing to take back; a counter made again to take it "
        "back (at -1) gives a guesser one more password in the next window. Take back with cache.decr(), and nothing "
        "when it raises ValueError"
    )


@login_test
async def test_a_cache_down_refuses_a_login_and_a_slow_one_never_stalls_the_loop():
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await socket_from(imported_afresh(EXERCISE, RULE), GUESSER)
    with passwords_checked() as checked, ExitStack() as down:
        with mock.patch.object(exceptions, "ConnectionError", exceptions.TimeoutError):  # Redis too slow to answer
            down.enter_context(cache_down())  # it raises TimeoutError; the name is back before your code runs
        try:
            reply = await ask(communicator, "ada", RIGHT)
        except pytest.fail.Exception as crash:
            reply = f"no answer ({str(crash).split(';')[0]})"
    assert reply == UNAVAILABLE and not checked, (
        f"with the cache down (redis.exceptions.TimeoutError), ada's login got {reply}, and {len(checked)} "
        f"password(s) were checked: it must get {UNAVAILABLE}, unchecked, for any RedisError. A throttle that lets "
        "attempts through uncounted is off exactly when nobody is watching"
    )
    with passwords_checked(), cache_slow(0.1):  # back, but taking 0.1 s to answer each call
        async with never_blocks():
            back = await ask(communicator, "ada", RIGHT)
    assert back == {"username": "ada"}, f"once the cache was back, ada's login got {back}: the socket stays open"
    await close_all(communicator)


@login_test
async def test_frames_of_every_wrong_shape_get_an_error():
    communicator, other = [await socket_from(imported_afresh(EXERCISE, RULE), GUESSER) for _ in range(2)]
    frames = [*login_bad_frames(), "[" * 100_000]  # nested too deep: json.loads raises RecursionError, no ValueError
    with passwords_checked():
        for text in frames:
            await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(frames))
    await close_all(communicator, other)
