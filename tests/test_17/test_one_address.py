"""Lesson 17: a class behind one address. Thirty right codes join from it; wrong codes are budgeted per address."""

import pytest

from tests.helpers.workshop import CODE, open_workshop, post_join
from workshop import room
from workshop.models import Student

pytestmark = pytest.mark.django_db
NAT = "10.7.7.7"  # a room behind one NAT: every laptop's requests come from this address


def test_thirty_students_with_the_right_code_join_from_one_address_in_a_minute(client, minute):
    open_workshop()
    statuses = [post_join(client, {"code": CODE, "name": f"student{n}"}, NAT).status_code for n in range(30)]
    assert statuses == [201] * 30
    assert Student.objects.count() == 30


def test_a_guess_costs_as_much_as_before_ten_wrong_codes_a_minute_from_one_address(client, minute):
    open_workshop()
    wrong = [post_join(client, {"code": f"WRONG{n}", "name": "x"}, NAT).status_code for n in range(11)]
    assert wrong == [403] * 10 + [429]


def test_right_codes_between_the_wrong_ones_do_not_spend_the_addresss_guesses(client, minute):
    open_workshop()
    for n in range(9):
        post_join(client, {"code": "WRONG", "name": "x"}, NAT)
        assert post_join(client, {"code": CODE, "name": f"student{n}"}, NAT).status_code == 201
    assert post_join(client, {"code": "WRONG", "name": "x"}, NAT).status_code == 403  # the tenth guess
    assert post_join(client, {"code": "WRONG", "name": "x"}, NAT).status_code == 429


def test_once_an_address_has_guessed_its_ten_even_the_right_code_waits_the_minute(client, minute):
    open_workshop()
    for _ in range(10):
        post_join(client, {"code": "WRONG", "name": "x"}, NAT)
    assert post_join(client, {"code": CODE, "name": "alice"}, NAT).status_code == 429  # never compared


def test_refused_joins_are_counted_for_the_room_json(client, minute):
    open_workshop()
    for _ in range(11):  # ten wrong codes, then one refused unread
        post_join(client, {"code": "WRONG", "name": "x"}, NAT)
    post_join(client, {"code": CODE, "name": "alice"})  # admitted: not a refusal
    assert room.room()["workshop"]["refused_joins"] == 11
