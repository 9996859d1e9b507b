"""Lesson 17: a name that renders like another's is refused (workshop/names.py): lookalikes, fillers, spaces, dots."""

import pytest

from tests.helpers.workshop import CODE, enrol, open_workshop, post_join
from workshop import names
from workshop.models import Student

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "first, lookalike",
    [
        ("sophie", "ѕорһіе"),  # every letter Cyrillic: one script, the same width, another name
        ("carol", "cɑrol"),  # a Latin alpha, U+0251
        ("lia", "ǀia"),  # a Latin dental click, U+01C0
        ("Ian", "lan"),  # a capital I and a small l: one glyph in the page's sans-serif
        ("olga", "оlga"),  # one Cyrillic о: refused for mixing scripts, and for looking like olga
    ],
)
def test_a_name_that_looks_like_anothers_is_refused_naming_it(client, first, lookalike):
    enrol(open_workshop(), first)
    refused = post_join(client, {"code": CODE, "name": lookalike})
    assert refused.status_code in (400, 409), refused.json()
    assert not Student.objects.filter(name=lookalike).exists()


def test_the_409_says_whose_name_it_looks_like(client):
    enrol(open_workshop(), "sophie")
    refused = post_join(client, {"code": CODE, "name": "ѕорһіе"})
    assert refused.status_code == 409
    assert refused.json() == {"error": "the name ѕорһіе looks like sophie, taken in this workshop: choose another"}


@pytest.mark.parametrize("alone", ["ѕорһіе", "Иван", "Lan"])
def test_a_name_in_another_script_is_admitted_while_nobody_looks_like_it(client, alone):
    enrol(open_workshop(), "Ian")
    assert post_join(client, {"code": CODE, "name": alone}).status_code == 201


@pytest.mark.parametrize(
    "name",
    ["ㅤ", "bob\u3164", "\u115fbob", "ﾠ", "a\u1160b", "bob\u17b4"],
    ids=["hangul-filler", "filler-after", "choseong-filler", "halfwidth-filler", "jungseong-filler", "khmer-vowel"],
)
def test_a_name_with_a_character_that_draws_nothing_is_refused(client, name):
    open_workshop()
    refused = post_join(client, {"code": CODE, "name": name})
    assert refused.status_code == 400
    assert "draws nothing" in refused.json()["error"]


@pytest.mark.parametrize("name", ["ada  lovelace", "ada\u3000\u3000lovelace", "ada \u00a0lovelace"])
def test_a_name_with_two_spaces_in_a_row_is_refused(client, name):
    open_workshop()
    refused = post_join(client, {"code": CODE, "name": name})
    assert refused.status_code == 400 and "two spaces" in refused.json()["error"]


@pytest.mark.parametrize("name", [".", "..", "...", "-", "_", ". ."])
def test_a_name_without_a_letter_or_a_digit_is_refused(client, name):
    open_workshop()
    refused = post_join(client, {"code": CODE, "name": name})
    assert refused.status_code == 400 and "a letter or a digit" in refused.json()["error"]


def test_names_that_look_alike_share_a_skeleton_and_others_do_not():
    assert names.skeletons("sophie") == names.skeletons("ѕорһіе")
    assert names.skeletons("Ian") != names.skeletons("Lan") and names.skeletons("émile") != names.skeletons("emile")
