"""Check 16.2 (fix): a login throttle counts each attempt as it arrives, so ten sockets at once get five checks.

Ten wrong passwords sent at once get five checked, to one server process or two; the sixth in a row is refused
unchecked, and no password is logged; logging in again and again never locks anyone out; a good login takes back
only its own attempt; a cache slow to answer never stalls the loop, and one that is down lets no password be
checked; every wrong shape gets an error. The passwords checked are counted where Django checks them
(ModelBackend.authenticate), whatever calls it.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from asgiref.sync import ThreadSensitiveContext
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from exercises.probes import BAD, TOO_MANY, ask, ask_told, at_once, attempt, cache_down, cache_slow, close_all, connect
from exercises.probes import five_of_ten_checked, imported_afresh, never_blocks, no_password_written, passwords_checked
from exercises.probes import every_spelling_counted, reads_meet, tally, wrong_shapes_refused

EXERCISE, CONSUMER, RIGHT = "16.2", "LoginConsumer", "analytical-engine"
RULE = "A name gets at most 5 passwords checked in a window, however many sockets ask at once"
AUTHENTICATE = ModelBackend.authenticate


@pytest.fixture(autouse=True)
def limits(settings, caplog, transactional_db):  # committed rows: the consumer reads users in a database thread
    """5 failures a name in 300 s, a fast hasher, every log record kept; ada (password RIGHT) has an account."""
    caplog.set_level(logging.DEBUG)
    settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_FAILURE_WINDOW = 5, 300
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("ada", password=RIGHT)


def hashing(backend, *args, **kwargs):
    """ModelBackend.authenticate taking as long as a real password hash (50 ms here), the GIL released meanwhile."""
    time.sleep(0.05)
    return AUTHENTICATE(backend, *args, **kwargs)


async def test_ten_wrong_passwords_sent_at_once_get_five_checked(app):
    await five_of_ten_checked([connect(app) for _ in range(10)], "ten sockets", RULE)


async def test_ten_wrong_passwords_sent_at_once_to_two_processes_get_five_checked():
    first, second = (imported_afresh(EXERCISE, RULE).LoginConsumer.as_asgi() for _ in range(2))
    thread = ThreadPoolExecutor(max_workers=1)  # the second Daphne process's own sync thread

    async def second_process(scope, receive, send):
        async with ThreadSensitiveContext(executor=thread):
            return await second(scope, receive, send)

    guesser = [await connect(application) for application in [first] * 5 + [second_process] * 5]
    with mock.patch.object(ModelBackend, "authenticate", hashing), cache_slow(0.02), reads_meet():  # read, then write
        await five_of_ten_checked(
            guesser,
            "ten sockets, five on each of two server processes,",
            "A lock, or one thread, keeps one process in order, never two: count with one atomic cache.incr() (never "
            "a get, then a set) and judge the count it returns",
        )
    thread.shutdown()


async def test_every_spelling_of_a_name_counts_against_one_counter(app):
    await every_spelling_counted(lambda: connect(app), lambda: connect(app))


async def test_the_sixth_wrong_password_in_a_row_is_refused_unchecked(app, caplog, capsys):
    communicator = await connect(app)
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
    no_password_written(caplog, capsys, [*(f"guess-{n}" for n in range(6)), RIGHT], "the name")


async def test_logging_in_again_and_again_never_locks_anyone_out(app):
    with passwords_checked():
        replies = [await attempt(connect(app), "ada", RIGHT) for _ in range(7)]
    with passwords_checked() as checked:
        replies.append(await checked.as_the_window_ends(attempt(connect(app), "ada", RIGHT)))  # her window ends
        guesses = [await attempt(connect(app), "ada", f"guess-{n}") for n in range(6)]  # the next window: 5 checked
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


async def test_a_good_login_takes_back_only_its_own_attempt(app):
    with passwords_checked():
        first = [await attempt(connect(app), "ada", f"guess-{n}") for n in range(2)]  # 2 guesses; then ada and 2 more
        own, *more = await at_once([(connect(app), "ada", f"guess-{n}" if n else RIGHT) for n in (0, 2, 3)])
        guesses = [await attempt(connect(app), "ada", f"guess-{n}") for n in (5, 6)]
    assert own == {"username": "ada"} and guesses == [BAD, TOO_MANY], (
        f"2 guesses at ada, then ada logged in ({own}) while 2 more came at the same moment ({tally(first + more)} "
        f"in all), then 2 more guesses got {guesses}: her login may take back her own attempt, one (cache.decr), "
        "never the guesser's 4, nor write back a count it read before they came (cache.set)"
    )


async def test_a_cache_slow_to_answer_never_stalls_the_event_loop(app):
    with passwords_checked(), cache_slow(0.1):  # each call as slow as a Redis across a busy network
        async with never_blocks():
            reply = await attempt(connect(app), "ada", RIGHT)
    assert reply == {"username": "ada"}, f"with each cache call taking 0.1 s, ada's right password got {reply}"


async def test_a_cache_that_is_down_lets_no_password_be_checked(app):
    communicator = await connect(app)
    with passwords_checked() as checked, cache_down():  # Redis refusing connections: every cache call raises
        reply = await ask_told(communicator, "ada", "guess")  # a crash (1011) stopped the attempt: not checked
    assert not checked, (
        f"with the cache down (Redis refusing connections), ada's password was checked anyway (the answer: {reply}): "
        "a throttle that lets attempts through uncounted is off exactly when a guesser can take down its store. "
        "When the attempt cannot be counted, refuse it; never check its password"
    )
    if not communicator.future.done():  # a consumer the cache's error ended (1011) has nothing left to close
        await close_all(communicator)


async def test_frames_of_every_wrong_shape_get_an_error(app):
    await wrong_shapes_refused(await connect(app), await connect(app))
