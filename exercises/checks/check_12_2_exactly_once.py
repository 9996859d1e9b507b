"""Check 12.2: show each post once, however often it arrives."""

from exercises.checks import target


def test_a_repeated_post_is_shown_once():
    inbox = target("12.2").Inbox()
    post = {"id": 1, "title": "t", "body": "b"}
    assert inbox.accept(post) is True, "a new post should be shown"
    assert inbox.accept(dict(post)) is False, "the same post arriving again (a replay) should not be shown twice"


def test_an_edited_post_is_shown_again():
    inbox = target("12.2").Inbox()
    inbox.accept({"id": 1, "title": "t", "body": "b"})
    assert inbox.accept({"id": 1, "title": "t", "body": "edited"}) is True, "an edit (same id, new body) is news"
