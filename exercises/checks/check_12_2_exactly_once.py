"""Check 12.2: show each post once, however often it arrives."""

from exercises.checks import target

POSTS = [{"id": n, "title": f"t{n}", "body": "b"} for n in (1, 2, 3)]


def test_a_repeated_post_is_shown_once():
    inbox = target("12.2").Inbox()
    post = {"id": 1, "title": "t", "body": "b"}
    assert inbox.accept(post) is True, "a new post should be shown"
    assert inbox.accept(dict(post)) is False, "the same post arriving again (a replay) should not be shown twice"


def test_a_replay_of_several_posts_shows_none_of_them_again():
    inbox = target("12.2").Inbox()
    for post in POSTS:
        inbox.accept(dict(post))
    again = [post["id"] for post in POSTS if inbox.accept(dict(post))]
    assert again == [], (
        f"a replay of posts 1, 2, 3 after showing 1, 2, 3 showed {again} again: remember every post shown, "
        "by id, not only the last one"
    )


def test_an_edited_post_is_shown_again():
    inbox = target("12.2").Inbox()
    inbox.accept({"id": 1, "title": "t", "body": "b"})
    assert inbox.accept({"id": 1, "title": "t", "body": "edited"}) is True, (
        "an edit (same id, new body) is news: compare the whole post, not just the id"
    )


def test_each_client_has_an_inbox_of_its_own():
    first, second = target("12.2").Inbox(), target("12.2").Inbox()
    first.accept(dict(POSTS[0]))
    assert second.accept(dict(POSTS[0])) is True, (
        "a second Inbox did not show a post it had never seen: keep what was shown on each Inbox (self), "
        "not on the class"
    )
