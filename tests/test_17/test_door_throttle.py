"""Lesson 17: the room's HTTP login doors throttled per address and per name, on lesson 16's counters (workshop/doors.py)."""

from unittest import mock

import pytest
from asgiref.sync import async_to_sync

from auth_demo.throttle import begin_attempt
from tests.fixtures.throttle import PER_ADDRESS

DOORS = ["/accounts/login/", "/admin/login/"]
RIGHT = "the instructor's own password"


def make_teacher(django_user_model):
    """A staff account with a password of the instructor's own."""
    return django_user_model.objects.create_user("teacher", password=RIGHT, is_staff=True)


def log_in(client, door: str, username: str, password: str, address: str):
    return client.post(door, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
def test_wrong_passwords_from_one_address_are_refused_past_its_limit(
    door, room_doors, passwords_checked_by_forms, client
):
    # One password on many names: the address's limit (PER_ADDRESS in the tests), then three more.
    answers = [log_in(client, door, f"name{n}", "guess", "192.0.2.7").status_code for n in range(PER_ADDRESS + 3)]
    assert answers == [200] * PER_ADDRESS + [429] * 3
    assert passwords_checked_by_forms.call_count == PER_ADDRESS  # the three refused were never checked


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
def test_five_wrong_passwords_for_a_name_lock_it_from_that_address_alone(door, room_doors, django_user_model, client):
    make_teacher(django_user_model)
    for n in range(5):  # a student's laptop: the name's own limit, from its address
        assert log_in(client, door, "teacher", f"guess-{n}", "192.0.2.1").status_code == 200
    refused = log_in(client, door, "Teacher", RIGHT, "192.0.2.1")  # any spelling of the name is the same name
    assert refused.status_code == 429
    assert "try again in 300 s" in refused.content.decode() and refused["Retry-After"] == "300"
    assert client.get("/workshop/room.json").status_code == 302  # not logged in


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
def test_students_guessing_the_instructors_name_cannot_lock_the_instructor_out(
    door, room_doors, django_user_model, client
):
    make_teacher(django_user_model)
    for n in range(5 * 3):  # three laptops, each up to the name's limit and past it
        log_in(client, door, "teacher", f"guess-{n}", f"192.0.2.{n % 3 + 1}")
    assert log_in(client, door, "teacher", RIGHT, "127.0.0.1").status_code == 302  # the serving laptop


@pytest.mark.django_db
def test_a_name_locked_at_lesson_16s_socket_login_still_opens_the_login_form(room_doors, django_user_model, client):
    make_teacher(django_user_model)
    for _ in range(5):  # what ws/auth/login/ counts for five wrong passwords (auth_demo/socket_login.py)
        async_to_sync(begin_attempt)({"client": ("192.0.2.50", 40000)}, "teacher")
    assert log_in(client, "/accounts/login/", "teacher", RIGHT, "192.0.2.51").status_code == 302


@pytest.mark.django_db
def test_a_good_login_takes_back_its_own_count_and_no_other(room_doors, django_user_model, client):
    make_teacher(django_user_model)
    for n in range(PER_ADDRESS - 1):
        log_in(client, "/accounts/login/", f"name{n}", "guess", "192.0.2.7")
    assert log_in(client, "/accounts/login/", "teacher", RIGHT, "192.0.2.7").status_code == 302
    client.logout()
    assert log_in(client, "/accounts/login/", "name-a", "guess", "192.0.2.7").status_code == 200  # the last allowed
    assert log_in(client, "/accounts/login/", "name-b", "guess", "192.0.2.7").status_code == 429


@pytest.mark.django_db
def test_with_the_counters_unreadable_a_login_is_refused_unchecked(room_doors, passwords_checked_by_forms, client):
    from redis.exceptions import ConnectionError

    with mock.patch("auth_demo.throttle.count", side_effect=ConnectionError("Redis is down")):
        answer = log_in(client, "/accounts/login/", "teacher", RIGHT, "192.0.2.7")
    assert answer.status_code == 503 and passwords_checked_by_forms.call_count == 0


@pytest.mark.django_db
def test_a_post_without_a_password_is_not_counted_as_a_login(room_doors, client):
    for _ in range(PER_ADDRESS + 1):  # had they counted, the next login would be over the address's limit
        client.post("/accounts/login/", {"username": "teacher"}, REMOTE_ADDR="192.0.2.7")
    assert log_in(client, "/accounts/login/", "name", "guess", "192.0.2.7").status_code == 200
