"""Check 16.2 (fix): a login throttle counts each attempt as it arrives, so ten sockets at once get five checks.

Ten wrong passwords sent at once get five checked, to one server process or two; the sixth in a row is refused
unchecked, and no password is logged; a counter lasts its window from its first attempt; logging in again and
again never locks anyone out; a good login takes back only its own attempt; a cache slow to answer never stalls
the loop, and one that is down lets no password be checked; every wrong shape gets an error. The passwords checked are counted where Django checks them
(ModelBackend.authenticate), whatever calls it.
"""

import time
from unittest import mock

import pytest

from exercises.probes import BAD, TOO_MANY, ask, at_once, attempt, cache_slow, close_all, connect, tally
from exercises.probes import every_spelling_counted, five_of_ten_checked, imported_with_a_sync_thread
from exercises.probes import no_password_written, passwords_checked, reads_meet, wrong_shapes_refused
from exercises.probes.throttles import a_slow_cache_never_stalls, guessed, hashing_slowly, locked_after_five
from exercises.probes.throttles import next_window_counts_afresh, refused_while_the_cache_is_down
from exercises.probes.throttles import login_limits as login_limits  # autouse: the limits and ada, for every test

EXERCISE, CONSUMER, RIGHT = "16.2", "LoginConsumer", "analytical-engine"
RULE = "A name gets at most 5 passwords checked in a window, however many sockets ask at once"
LIMITS, ACCOUNTS = {"LOGIN_FAILURES_PER_USERNAME": 5, "LOGIN_FAILURE_WINDOW": 300}, {"ada": RIGHT}


@pytest.mark.rule(2, 3)
async def test_ten_wrong_passwords_sent_at_once_get_five_checked(app):
    await five_of_ten_checked([connect(app) for _ in range(10)], "ten sockets", RULE)


@pytest.mark.rule(2)
async def test_ten_wrong_passwords_sent_at_once_to_two_processes_get_five_checked():
    first, second = (imported_with_a_sync_thread(EXERCISE, RULE).LoginConsumer.as_asgi() for _ in range(2))
    guesser = [await connect(application) for application in [first] * 5 + [second] * 5]  # each its own sync thread
    with hashing_slowly(), cache_slow(0.02), reads_meet():  # each reads, then writes, at the same moment
        await five_of_ten_checked(
            guesser,
            "ten sockets, five on each of two server processes,",
            "A lock, or one thread, keeps one process in order, never two: count with one atomic cache.incr() (never "
            "a get, then a set) and judge the count it returns",
        )


@pytest.mark.rule(2)
async def test_every_spelling_of_a_name_counts_against_one_counter(app):
    await every_spelling_counted(lambda: connect(app), lambda: connect(app))


@pytest.mark.rule(1, 3, 6)
async def test_the_sixth_wrong_password_in_a_row_is_refused_unchecked(app, caplog, capsys):
    communicator = await connect(app)
    with passwords_checked() as checked:
        passwords = await locked_after_five(communicator, RIGHT, checked)
        now = time.time
        with mock.patch("time.time", lambda: now() + 301):  # the window (300 s) over, for the cache and for you
            got = await ask(communicator, "ada", RIGHT)
        assert got == {"username": "ada"}, (
            f"301 s after the first of those failures, past LOGIN_FAILURE_WINDOW (300 s), ada's right password got "
            f"{got}: a counter lasts the window, then the name may try again (a counter without a timeout locks a "
            "name for good, and lets anyone lock out anyone by name)"
        )
    await close_all(communicator)
    no_password_written(caplog, capsys, passwords, "the name")


@pytest.mark.rule(3)
async def test_a_counter_lasts_its_window_from_its_first_attempt_not_its_latest(app):
    later, now = [0], time.time
    with passwords_checked(), mock.patch("time.time", lambda: now() + later[0]):  # the cache's clock and yours
        replies = [await attempt(connect(app), "ada", f"guess-{n}") for n in range(5)]
        later[0] = 200  # within the window: refused, and counted
        replies.append(await attempt(connect(app), "ada", "guess-5"))
        later[0] = 301  # the window of her first attempt is over, not yet that of the sixth
        replies.append(await attempt(connect(app), "ada", RIGHT))
    assert replies == [BAD] * 5 + [TOO_MANY, {"username": "ada"}], (
        f"5 wrong passwords for ada, a 6th 200 s later, then her right one 301 s after the first got {tally(replies)}: "
        "a counter lasts LOGIN_FAILURE_WINDOW from its first attempt, not its latest; setting its timeout again on "
        "each attempt (cache.touch, or a set) slides the window, and a guesser who keeps trying locks her out for good"
    )


@pytest.mark.rule(3, 4)
async def test_logging_in_again_and_again_never_locks_anyone_out(app):
    with passwords_checked():
        replies = [await attempt(connect(app), "ada", RIGHT) for _ in range(7)]
    with passwords_checked() as checked:
        replies.append(await checked.as_the_window_ends(attempt(connect(app), "ada", RIGHT)))  # her window ends
        assert replies == [{"username": "ada"}] * 8, (
            f"ada logged in 8 times in a row with her right password (8 tabs, the last as her counter's window "
            f"ended): each must work, got {tally(replies)}"
        )
        await next_window_counts_afresh(lambda password: attempt(connect(app), "ada", password), 5)  # 5 checked


@pytest.mark.rule(4)
async def test_a_good_login_takes_back_only_its_own_attempt(app):
    with passwords_checked():
        first = await guessed(lambda: connect(app), 2)  # 2 guesses; then ada and 2 more at once; then 2 more
        own, *more = await at_once([(connect(app), "ada", f"guess-{n}" if n else RIGHT) for n in (0, 2, 3)])
        guesses = await guessed(lambda: connect(app), 2, first=5)
    assert own == {"username": "ada"} and guesses == [BAD, TOO_MANY], (
        f"2 guesses at ada, then ada logged in ({own}) while 2 more came at the same moment ({tally(first + more)} "
        f"in all), then 2 more guesses got {guesses}: her login may take back her own attempt, one (cache.decr), "
        "never the guesser's 4, nor write back a count it read before they came (cache.set)"
    )


@pytest.mark.rule(5)
async def test_a_cache_slow_to_answer_never_stalls_the_event_loop(app):
    await a_slow_cache_never_stalls(await connect(app), RIGHT)


@pytest.mark.rule(5)
async def test_a_cache_that_is_down_lets_no_password_be_checked(app):
    communicator = await connect(app)
    await refused_while_the_cache_is_down(communicator, "guess")  # Redis refusing connections: every call raises
    if not communicator.future.done():  # a consumer the cache's error ended (1011) has nothing left to close
        await close_all(communicator)


@pytest.mark.rule(1)
async def test_frames_of_every_wrong_shape_get_an_error(app):
    await wrong_shapes_refused(await connect(app), await connect(app))


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
