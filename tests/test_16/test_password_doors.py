"""Lesson 16: every door a password opens over HTTP is throttled in every settings module, on the socket
login's counters (auth_demo/password_doors.py); the reset form answers alike for every address
(auth_demo/password_reset.py). On a real production Daphne: test_password_doors_slow.py."""

import importlib
import sys

import pytest

from tests.fixtures.throttle import PER_ADDRESS, PER_USERNAME

pytestmark = pytest.mark.usefixtures("login_clock")  # limits pinned, counters emptied, clock frozen
THROTTLE = "auth_demo.password_doors.LoginThrottleMiddleware"
GUESSER = "203.0.113.7"
LOGINS = ["/accounts/login/", "/admin/login/"]
CHANGES = ["/accounts/password_change/", "/admin/password_change/"]
RIGHT = "the right password, 2027"  # staff_ada's (tests/fixtures/throttle.py)


def guess(client, door: str, password: str, address: str = GUESSER) -> int:
    """A POST at a login or password-change door; its status."""
    form = {"username": "ada", "password": password} if door in LOGINS else {"old_password": password}
    form |= {"new_password1": "a new one, 2027!", "new_password2": "a new one, 2027!"} if door in CHANGES else {}
    return client.post(door, form, REMOTE_ADDR=address).status_code


@pytest.mark.parametrize("module", ["lessons.settings", "lessons.settings_production", "lessons.settings_room"])
def test_every_settings_module_that_serves_the_doors_throttles_them(module, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test-only-" + "x" * 30)
    monkeypatch.setenv("ALLOWED_HOSTS", "lessons.example.org")
    for name in ("lessons.settings_production", "lessons.settings_room"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert THROTTLE in importlib.import_module(module).MIDDLEWARE


@pytest.mark.django_db
@pytest.mark.parametrize("door", LOGINS + CHANGES)
def test_sixteen_wrong_passwords_from_one_address_meet_a_429(door, staff_ada, client):
    if door in CHANGES:
        client.force_login(staff_ada)  # a stolen session guesses the old password no faster than a stranger
    answers = [guess(client, door, f"guess-{n}") for n in range(16)]
    assert answers == [200] * PER_USERNAME + [429] * (16 - PER_USERNAME)


@pytest.mark.django_db
@pytest.mark.parametrize("door", CHANGES)
def test_wrong_old_passwords_lock_the_login_doors_of_that_name_too(door, staff_ada, client):
    client.force_login(staff_ada)
    for n in range(PER_USERNAME):
        guess(client, door, f"guess-{n}")
    client.logout()
    assert guess(client, "/accounts/login/", RIGHT, "198.51.100.9") == 429  # one lock for every door


@pytest.mark.django_db
def test_a_password_change_that_works_takes_back_its_own_count(staff_ada, client):
    client.force_login(staff_ada)
    for n in range(PER_USERNAME - 1):
        guess(client, "/accounts/password_change/", f"guess-{n}")
    assert guess(client, "/accounts/password_change/", RIGHT) == 302
    assert guess(client, "/accounts/password_change/", "guess-last") == 200  # the fifth wrong one, not the sixth


@pytest.mark.django_db
def test_two_addresses_of_one_64_are_one_client_at_the_login_forms(client):
    first, second = "2001:db8:1:2::10", "2001:db8:1:2:ffff::1"  # one home's /64 (lessons/clients.py)
    for n in range(PER_ADDRESS):  # a name each: the address's limit, not a name's
        form = {"username": f"name{n}", "password": "guess"}
        client.post(LOGINS[n % 2], form, REMOTE_ADDR=first if n % 2 else second)
    assert (
        client.post("/accounts/login/", {"username": "one-more", "password": "x"}, REMOTE_ADDR=first).status_code == 429
    )


@pytest.mark.django_db
def test_reset_requests_from_one_address_meet_a_429_past_its_limit(client, reset_outbox):
    answers = [
        client.post("/accounts/password_reset/", {"email": f"n{n}@example.org"}, REMOTE_ADDR=GUESSER).status_code
        for n in range(PER_ADDRESS + 1)
    ]
    assert answers == [302] * PER_ADDRESS + [429]


@pytest.mark.django_db
def test_reset_requests_for_one_address_meet_a_429_from_any_client(client, reset_outbox):
    answers = [
        client.post("/accounts/password_reset/", {"email": "Ada@Example.org"}, REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(1, PER_USERNAME + 2)
    ]
    assert answers == [302] * PER_USERNAME + [429]
