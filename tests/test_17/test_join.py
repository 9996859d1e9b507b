"""Lesson 17: POST /workshop/join/, a student's one HTTP door: 201 with a token, or 400/403/409/429/405."""

import pytest
from django.core import signing
from django.test import Client

from tests.helpers.workshop import CODE, enrol, open_workshop, post_join
from workshop import join
from workshop.models import Student
from workshop.tokens import SALT, claim_in

pytestmark = pytest.mark.django_db


def test_a_right_code_and_a_free_name_answer_201_with_a_token_for_the_socket(client):
    open_workshop()
    response = post_join(client, {"code": CODE, "name": "alice"})
    assert response.status_code == 201
    assert response.json() == {"token": response.json()["token"], "name": "alice", "socket": "/ws/workshop/student/"}


def test_the_token_is_the_student_and_workshop_signed_with_the_workshop_salt(client):
    workshop = open_workshop()
    token = post_join(client, {"code": CODE, "name": "alice"}).json()["token"]
    alice = Student.objects.get(name="alice")
    assert signing.loads(token, salt=SALT) == {"student": alice.pk, "workshop": workshop.pk}
    assert claim_in(token) == (alice.pk, workshop.pk)


def test_a_token_signed_with_another_salt_names_no_one():
    assert claim_in(signing.dumps({"student": 1, "workshop": 1}, salt="auth_demo.tokens")) is None


def test_the_name_is_saved_without_its_surrounding_space(client):
    open_workshop()
    assert post_join(client, {"code": CODE, "name": "  ada lovelace "}).json()["name"] == "ada lovelace"
    assert Student.objects.filter(name="ada lovelace").exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[" * 5000,
        ["K7Q2M9XA", "alice"],
        "K7Q2M9XA",
        {"name": "alice"},
        {"code": 42, "name": "alice"},
        {"code": CODE},
        {"code": CODE, "name": 7},
        {"code": CODE, "name": ""},
        {"code": CODE, "name": "   "},
        {"code": CODE, "name": "x" * 41},
        {"code": CODE, "name": "alice/bob"},
        {"code": CODE, "name": "<script>"},
        {"code": CODE, "name": "tab\there"},
        {"code": CODE, "name": "\ud800"},
        {"code": CODE, "name": "a" * 5000},
    ],
)
def test_a_body_that_is_not_a_code_and_a_valid_name_answers_400(client, body):
    open_workshop()
    response = post_join(client, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Student.objects.exists()


@pytest.mark.parametrize("name", ["alice", "Zoë", "ada_l", "j.doe", "mary-jane", "x" * 40, "R2 D2"])
def test_letters_digits_space_underscore_dot_and_dash_make_a_name(client, name):
    open_workshop()
    assert post_join(client, {"code": CODE, "name": name}).status_code == 201


@pytest.mark.parametrize("code", ["K7Q2M9XB", "", "K7Q2M9X", "K7Q2M9XAA", "ÄÖÜ", "\ud800"])
def test_an_unknown_code_answers_403_and_admits_no_one(client, code):
    open_workshop()
    response = post_join(client, {"code": code, "name": "alice"})
    assert (response.status_code, response.json()) == (403, {"error": "unknown or closed join code"})
    assert not Student.objects.exists()


def test_the_code_is_compared_ignoring_case_and_surrounding_space(client):
    open_workshop()
    assert post_join(client, {"code": " k7q2m9xa\n", "name": "alice"}).status_code == 201


def test_with_no_workshop_open_every_code_answers_403(client):
    assert post_join(client, {"code": CODE, "name": "alice"}).status_code == 403


def test_a_taken_name_answers_409_saying_so(client):
    enrol(open_workshop(), "alice")
    response = post_join(client, {"code": CODE, "name": "alice"})
    assert response.status_code == 409
    assert response.json() == {"error": "the name alice is taken in this workshop: choose another"}


def test_a_name_differing_only_in_case_is_taken_too(client):
    enrol(open_workshop(), "alice")
    assert post_join(client, {"code": CODE, "name": "ALICE"}).status_code == 409


def test_a_name_taken_in_an_older_workshop_is_free_in_the_new_one(client):
    enrol(open_workshop("OLDCODE1"), "alice")
    open_workshop()
    assert post_join(client, {"code": CODE, "name": "alice"}).status_code == 201


def test_the_eleventh_attempt_in_a_minute_from_one_address_answers_429(client, monkeypatch):
    monkeypatch.setattr(join, "clock", lambda: 60.0 * 28_000_000)  # the start of a minute
    open_workshop()
    statuses = [post_join(client, {"code": "WRONG", "name": "x"}, "10.9.9.9").status_code for _ in range(10)]
    refused = post_join(client, {"code": CODE, "name": "alice"}, "10.9.9.9")
    assert statuses == [403] * 10
    assert (refused.status_code, refused.json()) == (429, {"error": "too many join attempts: wait a minute"})


def test_the_limit_is_per_address_and_per_minute(client, monkeypatch):
    now = [60.0 * 28_000_100]
    monkeypatch.setattr(join, "clock", lambda: now[0])
    open_workshop()
    for _ in range(11):
        post_join(client, {"code": "WRONG", "name": "x"}, "10.8.8.8")
    assert post_join(client, {"code": CODE, "name": "bob"}, "10.8.8.9").status_code == 201
    now[0] += 60
    assert post_join(client, {"code": CODE, "name": "alice"}, "10.8.8.8").status_code == 201


def test_one_ipv6_slash_64_shares_one_counter():
    assert join.address_of("2001:db8::1") == join.address_of("2001:db8::ffff:2") == "2001:db8::/64"


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_any_method_but_post_answers_405(client, method):
    assert getattr(client, method)("/workshop/join/").status_code == 405


def test_joining_needs_no_csrf_token_the_code_is_the_credential():
    open_workshop()
    assert post_join(Client(enforce_csrf_checks=True), {"code": CODE, "name": "alice"}).status_code == 201
