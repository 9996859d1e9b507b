"""Lesson 16: the password guesser on ws/auth/login/, and the throttle that refuses it (auth_demo/throttle.py)."""

import asyncio
from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator
from django.core.cache import caches
from redis.exceptions import RedisError

from auth_demo import throttle
from lessons.asgi import application
from tests.fixtures.throttle import PER_ADDRESS, WINDOW_START
from tests.helpers import ADA_PASSWORD
from tests.helpers.clients import ORIGIN

# The consumer reads users in a database thread, which sees only committed rows.
committed_db = pytest.mark.django_db(transaction=True)
# Every test: the limits pinned, the counters emptied, the throttle's clock frozen (tests/fixtures/throttle.py).
pytestmark = pytest.mark.usefixtures("login_clock")

GUESSER, NEIGHBOUR = "203.0.113.7", "198.51.100.9"
BAD = {"error": "invalid username or password"}


def locked(seconds: int) -> dict:
    return {"error": f"too many failed logins, try again in {seconds} s"}


async def socket_from(address: str | None) -> WebsocketCommunicator:
    """An open ws/auth/login/ socket whose client is at `address` (None: no client in the scope)."""
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN)
    if address:
        # WebsocketCommunicator takes no client; its application has not started yet, so this is in time.
        communicator.scope["client"] = (address, 50000)
    await communicator.connect()
    return communicator


async def log_in(address: str | None, username: str, password: str) -> dict:
    """One login attempt on a socket of its own, as a guesser with many sockets makes it; the answer."""
    communicator = await socket_from(address)
    await communicator.send_json_to({"action": "login", "username": username, "password": password})
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    return reply


@committed_db
async def test_the_sixth_wrong_password_is_refused_without_checking_it(ada, passwords_checked):
    communicator = await socket_from(GUESSER)
    replies = []
    for guess in range(6):
        await communicator.send_json_to({"action": "login", "username": "ada", "password": f"guess-{guess}"})
        replies.append(await communicator.receive_json_from())
    await communicator.send_json_to({"action": "whoami"})
    still_open = await communicator.receive_json_from()
    await communicator.disconnect()
    assert replies == [BAD] * 5 + [locked(300)]
    assert passwords_checked.call_count == 5
    assert still_open == {"username": None}


@committed_db
async def test_the_right_password_is_refused_while_locked_and_works_after_the_window(ada, login_clock):
    for guess in range(5):
        await log_in(GUESSER, "ada", f"guess-{guess}")
    login_clock.return_value = WINDOW_START + 299.5
    while_locked = await log_in(NEIGHBOUR, "ada", ADA_PASSWORD)
    login_clock.return_value = WINDOW_START + 300
    after_the_window = await log_in(NEIGHBOUR, "ada", ADA_PASSWORD)
    assert while_locked == locked(1)
    assert after_the_window["username"] == "ada"


@committed_db
async def test_guesses_over_many_usernames_from_one_address_hit_its_limit(passwords_checked):
    replies = [await log_in(GUESSER, f"user{n}", "password1") for n in range(PER_ADDRESS + 1)]
    assert replies == [BAD] * PER_ADDRESS + [locked(300)]
    assert passwords_checked.call_count == PER_ADDRESS


@committed_db
async def test_two_addresses_do_not_share_a_limit(ada):
    for n in range(PER_ADDRESS):
        await log_in(GUESSER, f"user{n}", "password1")
    from_the_guesser = await log_in(GUESSER, "ada", ADA_PASSWORD)
    from_the_neighbour = await log_in(NEIGHBOUR, "ada", ADA_PASSWORD)
    assert from_the_guesser == locked(300)
    assert from_the_neighbour["username"] == "ada"


@committed_db
async def test_a_good_login_does_not_forgive_the_failures_of_its_address(django_user_model):
    await django_user_model.objects.acreate_user("mallory", password="mallory-owns-this")
    for n in range(PER_ADDRESS - 1):
        await log_in(GUESSER, f"user{n}", "password1")
    own_account = await log_in(GUESSER, "mallory", "mallory-owns-this")
    last_failure_allowed = await log_in(GUESSER, "user-a", "password1")
    one_past_the_limit = await log_in(GUESSER, "user-b", "password1")
    assert own_account["username"] == "mallory"
    assert (last_failure_allowed, one_past_the_limit) == (BAD, locked(300))


@committed_db
async def test_an_unknown_username_is_locked_exactly_like_a_real_one(ada):
    real = [await log_in(GUESSER, "ada", "password1") for _ in range(6)]
    unknown = [await log_in(NEIGHBOUR, "nobody", "password1") for _ in range(6)]
    assert real == unknown == [BAD] * 5 + [locked(300)]


@committed_db
async def test_other_spellings_of_a_username_count_against_the_same_one(ada, passwords_checked):
    spellings = ["ada", "Ada", "ADA", "ａｄａ", "aDa", "ada"]
    replies = [await log_in(GUESSER, spelling, "password1") for spelling in spellings]
    assert replies[-1] == locked(300)
    assert passwords_checked.call_count == 5


@committed_db
async def test_wrong_passwords_sent_at_once_on_many_sockets_are_all_counted(ada, passwords_checked):
    # Ten sockets guessing at the same moment: counted before checking, only five are passwords_checked.
    replies = await asyncio.gather(*(log_in(GUESSER, "ada", f"guess-{n}") for n in range(10)))
    assert sorted(replies, key=str) == sorted([BAD] * 5 + [locked(300)] * 5, key=str)
    assert passwords_checked.call_count == 5


@pytest.mark.parametrize(
    ("first", "second"),
    [("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"), ("::ffff:203.0.113.7", "203.0.113.7")],
    ids=["one-ipv6-64", "ipv4-mapped"],
)
@committed_db
async def test_addresses_of_one_client_share_a_limit(first, second):
    for n in range(PER_ADDRESS):
        await log_in(first, f"user{n}", "password1")
    assert await log_in(second, "one-more", "password1") == locked(300)


@pytest.mark.parametrize("address", ["127.0.0.1", None], ids=["this-machine", "no-client-in-scope"])
@committed_db
async def test_a_client_that_is_no_one_address_is_held_by_each_names_limit_alone(address):
    # lessons/clients.py: behind a proxy without --proxy-headers every client is 127.0.0.1, and one
    # address limit for all would let one guesser lock every login out. Each name's limit still holds.
    replies = [await log_in(address, f"user{n}", "password1") for n in range(PER_ADDRESS + 1)]
    assert replies == [BAD] * (PER_ADDRESS + 1)
    assert [await log_in(address, "ada", f"guess-{n}") for n in range(6)] == [BAD] * 5 + [locked(300)]


@committed_db
async def test_the_limits_and_the_window_come_from_settings(ada, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 1
    settings.LOGIN_FAILURE_WINDOW = 60
    replies = [await log_in(GUESSER, "ada", "password1") for _ in range(2)]
    assert replies == [BAD, locked(60)]


@committed_db
async def test_with_the_cache_down_a_login_is_refused_unchecked_and_the_socket_lives(ada, passwords_checked):
    # On the class: each thread has a cache object of its own, and the counting runs in a thread.
    with mock.patch.object(type(caches["default"]), "incr", side_effect=RedisError("refused")):
        refused = await log_in(GUESSER, "ada", ADA_PASSWORD)
    assert refused == {"error": throttle.CACHE_UNAVAILABLE}
    assert passwords_checked.call_count == 0
