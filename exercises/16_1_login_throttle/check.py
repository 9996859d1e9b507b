"""Check 16.1: a socket login throttled per username and per address, in Django's cache, before any password check.

The sixth wrong password for a name is refused unchecked, none logged; ten at once get five checked; every spelling of
a name counts against one counter; one password on many names meets the address limit; a good login takes back its own
attempt only; two processes share one count; a counter ends with its window; a cache down refuses a login, a slow one
never stalls the loop; every wrong shape gets an error.
"""

import asyncio
import time

import pytest
from django.contrib.auth.models import User
from redis import exceptions

from exercises.probes import BAD, TOO_MANY, answered, at_once, attempt, close_all, connect_from, every_spelling_counted
from exercises.probes import five_of_ten_checked, imported_afresh, imported_with_a_sync_thread, no_password_written
from exercises.probes import cache_slow, passwords_checked, reads_meet, tally, wrong_shapes_refused
from exercises.probes.throttles import a_slow_cache_never_stalls, locked_after_five, next_window_counts_afresh
from exercises.probes.throttles import guessed, refused_while_the_cache_is_down
from exercises.probes.throttles import login_limits as login_limits, server as server  # fixtures, found by name

EXERCISE, GUESSER, NEIGHBOUR, RIGHT = "16.1", "203.0.113.7", "198.51.100.9", "analytical-engine"
RULE = "Count each attempt in Django's cache, by username (any spelling) and address, before checking its password"
UNAVAILABLE = {"error": "logging in is unavailable for a moment, try again later"}
LIMITS = {"LOGIN_FAILURES_PER_USERNAME": 5, "LOGIN_FAILURES_PER_ADDRESS": 20, "LOGIN_FAILURE_WINDOW": 300}
ACCOUNTS = {"ada": RIGHT, "mallory": "mallory-owns-this"}  # mallory: the guesser's own account


@pytest.mark.rule(1, 3, 7)
async def test_the_sixth_wrong_password_for_a_name_is_refused_unchecked(server, caplog, capsys):
    communicator = await connect_from(server, GUESSER)
    with passwords_checked() as checked:
        passwords = await locked_after_five(communicator, RIGHT, checked)
    await close_all(communicator)
    no_password_written(caplog, capsys, passwords, "the name and the address")


@pytest.mark.rule(2, 3)
async def test_ten_wrong_passwords_sent_at_once_get_five_checked(server):
    sockets = [connect_from(server, GUESSER) for _ in range(10)]
    await five_of_ten_checked(sockets, "ten sockets", "5 may be: each attempt counts the moment it arrives")


@pytest.mark.rule(2)
async def test_every_spelling_of_a_name_counts_against_one_counter(server):
    await User.objects.filter(username="ada").adelete()  # no ada: a name that does not exist is counted too
    await User.objects.acreate_user("Grace", password=RIGHT)  # a name with a capital logs in as typed
    addresses = (f"192.0.2.{n}" for n in range(1, 255))  # each guess from an address of its own: its name's count alone
    await every_spelling_counted(lambda: connect_from(server, next(addresses)), lambda: connect_from(server, NEIGHBOUR))
    grace = await attempt(connect_from(server, NEIGHBOUR), "Grace", RIGHT)
    assert grace == {"username": "Grace"}, f"Grace's right password got {grace}: fold the counter's key, not her name"


@pytest.mark.rule(2, 3)
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


@pytest.mark.rule(5)
async def test_a_good_login_takes_back_its_own_attempt_and_nothing_more(server):
    with passwords_checked():
        again = [await attempt(connect_from(server, NEIGHBOUR), "ada", RIGHT) for _ in range(7)]
        assert again == [{"username": "ada"}] * 7, f"7 logins in a row by ada (7 tabs) must all work: {tally(again)}"
        first = await guessed(lambda: connect_from(server, GUESSER), 4)
        await attempt(connect_from(server, NEIGHBOUR), "ada", RIGHT)  # ada herself, between two guesses
        guesses = await guessed(lambda: connect_from(server, GUESSER), 2, first=4)
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


@pytest.mark.rule(2)
async def test_two_server_processes_share_one_count():
    servers = [imported_with_a_sync_thread(EXERCISE, RULE).LoginConsumer.as_asgi() for _ in "ab"]  # two Daphnes
    with passwords_checked() as checked, cache_slow(0.05), reads_meet():  # sharing a cache, as Redis
        replies = sum(await asyncio.gather(*(guessed(lambda s=s: connect_from(s, GUESSER), 3) for s in servers)), [])
    assert len(checked) == 5 and answered(replies, 5, 1), (
        f"2 server processes each tried 3 wrong passwords for ada at once: {tally(replies)}, {len(checked)} checked: "
        "the count must live in Django's cache, which every process shares, counted in one step, not a get and a set"
    )


@pytest.mark.rule(4, 5)
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
        assert replies == [BAD] * 3 + [TOO_MANY] and after == {"username": "ada"}, (
            f"with LOGIN_FAILURES_PER_USERNAME = 3 and LOGIN_FAILURE_WINDOW = 60 s, 3 wrong passwords, a 4th 30 s on, "
            f"her right one 45 s later got {replies}, {after}: a counter lasts the window from its first attempt "
            "(not its latest)"
        )
        await next_window_counts_afresh(guess, 3)


@pytest.mark.rule(6)
async def test_a_cache_down_refuses_a_login_and_a_slow_one_never_stalls_the_loop(server):
    communicator, too_slow = await connect_from(server, GUESSER), exceptions.TimeoutError("Timeout reading from socket")
    await refused_while_the_cache_is_down(communicator, RIGHT, too_slow, UNAVAILABLE)  # Redis hung: no ConnectionError
    await a_slow_cache_never_stalls(communicator, RIGHT)  # the cache back, slow: the same socket still logs her in


@pytest.mark.rule(1)
async def test_frames_of_every_wrong_shape_get_an_error(server):
    await wrong_shapes_refused(await connect_from(server, GUESSER), await connect_from(server, GUESSER))


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
