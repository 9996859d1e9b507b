"""Check 16.1: a socket login throttled per username and per address, in Django's cache, before any password check.

Each test imports your file afresh, as a new server process does: tests share
only Django's cache and database, as do the two processes of one test.
"""

import asyncio
import json

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from exercises.probes import (
    cache_down,
    close_all,
    connect_from,
    frame,
    imported_afresh,
    login_bad_frames,
    passwords_checked,
    proved,
    refused_with_error,
    tally,
)

RULE = (
    "Each login attempt is counted, before its password is checked, against its username (any spelling) and its "
    "address in Django's cache; over 5 for a name or 20 for an address it is refused unchecked"
)
GUESSER, NEIGHBOUR = "203.0.113.7", "198.51.100.9"
RIGHT = "analytical-engine"
BAD = {"error": "invalid username or password"}
TOO_MANY = {"error": "too many failed logins, try again later"}
UNAVAILABLE = {"error": "logging in is unavailable for a moment, try again later"}
LIMITS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    LOGIN_FAILURES_PER_USERNAME=5,
    LOGIN_FAILURES_PER_ADDRESS=20,
    LOGIN_FAILURE_WINDOW=300,
)


def login_test(test):
    """The limits pinned, a fast hasher, and a database whose rows the consumer's database thread sees."""
    return LIMITS(pytest.mark.django_db(transaction=True)(test))


async def socket_from(module, address: str):
    return await connect_from(module.LoginConsumer.as_asgi(), address)


async def ask(communicator, username: str, password: str) -> object:
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    return await frame(communicator, timeout=2)


async def attempt(module, address: str, username: str, password: str) -> object:
    """One attempt on a socket of its own: the answer."""
    communicator = await socket_from(module, address)
    reply = await ask(communicator, username, password)
    await close_all(communicator)
    return reply


@login_test
async def test_the_sixth_wrong_password_for_a_name_is_refused_unchecked():
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await socket_from(imported_afresh("16.1", RULE), GUESSER)
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


@login_test
async def test_ten_wrong_passwords_sent_at_once_get_five_checked():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh("16.1", RULE)
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


@login_test
async def test_every_spelling_of_a_name_counts_against_one_counter():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh("16.1", RULE)
    spellings = ["ada", "Ada", "ADA", "aDa", "\uff41\uff44\uff41"]  # the last in full-width letters
    with passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, spelling, "password1") for spelling in spellings]
        sixth = await attempt(server, NEIGHBOUR, "ada", "password2")
    assert replies == [BAD] * 5 and sixth == TOO_MANY and len(checked) == 5, (
        f"{', '.join(spellings)} were each tried once, then ada from another address got {sixth}: every spelling of "
        f"a name is one person to a guesser and counts against one counter ({len(checked)} passwords checked, 5 allowed)"
    )


@login_test
async def test_one_password_tried_on_many_names_meets_the_address_limit():
    server = imported_afresh("16.1", RULE)
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


@login_test
async def test_a_good_login_takes_back_its_own_attempt_and_nothing_more():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh("16.1", RULE)
    await User.objects.acreate_user("mallory", password="mallory-owns-this")
    with passwords_checked():
        again = [await attempt(server, NEIGHBOUR, "ada", RIGHT) for _ in range(7)]
    assert again == [{"username": "ada"}] * 7, (
        f"ada logged in 7 times in a row with her right password (7 tabs): each must work, got {tally(again)}"
    )
    with passwords_checked():
        for n in range(4):
            await attempt(server, GUESSER, "ada", f"guess-{n}")
        await attempt(server, NEIGHBOUR, "ada", RIGHT)  # ada herself, between two guesses
        guesses = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in (4, 5)]
    assert guesses == [BAD, TOO_MANY], (
        f"4 guesses at ada, then ada logged in, then 2 more guesses got {guesses}: her login took back her own "
        f"attempt, not the guesser's 4. {RULE}"
    )
    server = imported_afresh("16.1", RULE)
    with passwords_checked():
        for n in range(19):
            await attempt(server, GUESSER, f"user{n}", "password1")
        own = await attempt(server, GUESSER, "mallory", "mallory-owns-this")
        after = [await attempt(server, GUESSER, f"user{n}", "password1") for n in (19, 20)]
    assert own == {"username": "mallory"} and after == [BAD, TOO_MANY], (
        f"19 wrong names from one address, then the guesser logged in to its own account ({own}), then 2 more "
        f"names got {after}: a good login must not forgive its address the failures of other names"
    )


@login_test
async def test_two_server_processes_share_one_count():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh("16.1", RULE)
    second = imported_afresh("16.1", RULE)  # a second Daphne process, sharing Django's cache as Redis is shared
    with passwords_checked() as checked:
        for n in range(5):
            await attempt(second if n % 2 else server, GUESSER, "ada", f"guess-{n}")
        sixth = await attempt(server, GUESSER, "ada", "guess-5")
    assert sixth == TOO_MANY and len(checked) == 5, (
        f"5 wrong passwords for ada went to two server processes, then the 6th got {sixth} ({len(checked)} checked): "
        "the count must live in Django's cache, which every process shares, not in a process's memory"
    )


@login_test
async def test_a_counter_ends_with_its_window():
    await User.objects.acreate_user("ada", password=RIGHT)
    server = imported_afresh("16.1", RULE)
    with override_settings(LOGIN_FAILURE_WINDOW=1), passwords_checked() as checked:
        replies = [await attempt(server, GUESSER, "ada", f"guess-{n}") for n in range(6)]
        await asyncio.sleep(1.2)
        checked.window_ends = True  # and this window ends while her password is checked
        after = await attempt(server, GUESSER, "ada", RIGHT)
    assert replies[-1] == TOO_MANY and after == {"username": "ada"}, (
        f"with LOGIN_FAILURE_WINDOW = 1 s, ada was locked ({replies[-1]}), and 1.2 s later her right password got "
        f"{after}: a counter lasts the window from its first attempt, then the name may try again"
    )


@login_test
async def test_with_the_cache_down_a_login_is_refused_unchecked():
    await User.objects.acreate_user("ada", password=RIGHT)
    communicator = await socket_from(imported_afresh("16.1", RULE), GUESSER)
    with passwords_checked() as checked, cache_down():
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


@login_test
async def test_frames_of_every_wrong_shape_get_an_error():
    communicator, other = (
        await socket_from(imported_afresh("16.1", RULE), GUESSER),
        await socket_from(imported_afresh("16.1", RULE), GUESSER),
    )
    with passwords_checked():
        for text in login_bad_frames():
            await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(login_bad_frames()))
    await close_all(communicator, other)
