"""Check 12.2: show each post once, however often it arrives.

The task's rules, in its order: 1. a repeated post is shown once, a replay of several shows none of them again;
2. an edit of the title or the body is shown again, a capital letter too, the same letters split otherwise too;
3. a reverted edit is shown again; 4. a post dict changed after it was shown is still news; 5. each client has an
Inbox of its own, a new one no heir to one gone; 6. any stream of posts shows exactly the new and the changed;
7. DJANGO_ALLOW_ASYNC_UNSAFE stays unset (the battery).
"""

import pytest

from exercises.probes import proved, target
from exercises.probes.tickers import KEYS_REORDERED, new_inboxes_start_empty, shown_after, streams

POSTS = [{"id": n, "title": f"t{n}", "body": "b"} for n in (1, 2, 3)]
SEPARATORS = ["|", " ", "\n", ":", ",", ";", "-", "/", "\t", "\x00", " | ", " - ", ": ", ", ", "||", "::", "\x1f"]


def inbox():
    return target("12.2").Inbox()


@pytest.mark.rule(1)
def test_a_repeated_post_is_shown_once():
    box = inbox()
    post = {"id": 1, "title": "t", "body": "b"}
    assert box.accept(post) is True, "a new post should be shown: accept() must return True the first time"
    assert box.accept(dict(post)) is False, "the same post arriving again (a replay) should not be shown twice"
    assert box.accept(dict(post)) is False, "the same post arriving a third time should not be shown either"


@pytest.mark.rule(1)
def test_a_replay_of_several_posts_shows_none_of_them_again():
    box, posts = inbox(), [{"id": n, "title": f"t{n}", "body": "b"} for n in range(1, 151)]
    for post in posts:
        box.accept(dict(post))
    again = [post["id"] for post in [*posts, *reversed(posts)] if box.accept(dict(post))]
    assert again == [], (
        f"a replay of posts 1 to 150 (then 150 to 1) after showing them showed {again[:8]}... again ({len(again)}): "
        "remember every post shown, by id, not only the last one or the last few (a replay brings up to 100)"
    )


@pytest.mark.rule(2)
def test_an_edit_of_the_title_or_the_body_is_shown_again():
    for field, new in (("body", "edited"), ("title", "edited"), ("body", "B"), ("title", "T")):
        shown = {"id": 1, "title": "t", "body": "b"}
        edited = {**shown, field: new}
        assert shown_after(inbox, shown, edited) is True, (
            f"an edit of the {field} (same id, {shown[field]!r} became {new!r}) was not shown: an edit is news, a "
            "capital letter too, so compare the whole post as it came, not just the id, one field or a lowercased copy"
        )
        assert shown_after(inbox, shown, edited, edited) is False, (
            f"the edited post arriving again (edit of the {field}) is a repeat"
        )
    assert shown_after(inbox, {"id": 1, "title": "ab", "body": "c"}, {"id": 1, "title": "a", "body": "bc"}) is True, (
        'the title "ab" and body "c" became the title "a" and body "bc", and the edit was not shown: the same '
        "letters split otherwise are another post; compare the title and the body each, not their text run together"
    )
    for separator in SEPARATORS:  # a joined text with a separator between: the separator may be in the text too
        before = {"id": 1, "title": f"a{separator}", "body": "b"}
        after = {"id": 1, "title": "a", "body": f"{separator}b"}
        assert shown_after(inbox, before, after) is True, (
            f"the title {f'a{separator}'!r} and body 'b' became the title 'a' and body {f'{separator}b'!r}, and the "
            "edit was not shown: joined with a separator between them, both read the same, since a title or a body "
            "may hold the separator too; compare the title and the body each (the dict, or a tuple of them)"
        )


@pytest.mark.rule(3)
def test_a_reverted_edit_is_shown_again():
    box = inbox()
    first, edit = {"id": 1, "title": "t", "body": "first"}, {"id": 1, "title": "t", "body": "second"}
    box.accept(dict(first))
    box.accept(dict(edit))
    assert box.accept(dict(first)) is True, (
        "a post edited and then reverted to its first text was not shown: the screen shows the edit, "
        "so the reverted text is news; compare with what is shown now for that id, not with every version ever seen"
    )


@pytest.mark.rule(4)
def test_a_post_dict_changed_after_it_was_shown_is_still_news():
    box = inbox()
    post = {"id": 1, "title": "t", "body": "b"}
    box.accept(post)
    post["body"] = "edited"  # the caller reuses its dict, as a client that updates a post in place does
    assert box.accept(post) is True, (
        "the caller changed its dict after accept() and passed it again, and the edit was not shown: "
        "your Inbox kept a reference to the caller's dict, so what it remembers changed with it; keep a copy"
    )


@pytest.mark.rule(5)
def test_each_client_has_an_inbox_of_its_own():
    first, second = inbox(), inbox()
    assert first.accept(dict(POSTS[0])) is True, "a new post should be shown"
    assert second.accept(dict(POSTS[0])) is True, (
        "a second Inbox did not show a post it had never seen: keep what was shown on each Inbox (self), "
        "not on the class or the module"
    )
    first.accept({**POSTS[0], "body": "edited"})
    assert second.accept(dict(POSTS[0])) is False, (
        "an edit shown by one Inbox changed what another one remembers: keep what was shown on each Inbox (self), "
        "not on the class or the module"
    )
    assert new_inboxes_start_empty(inbox, POSTS[1]), (  # 200 clients come and go: some get the id() of one gone
        "a new Inbox, made after another one was gone, did not show a post it had never seen: it started with "
        "the old one's memory (kept outside it, under a key such as id(self)); keep what was shown on self"
    )


@pytest.mark.rule(6)
def test_any_stream_of_posts_shows_exactly_the_new_and_the_changed():
    for stream in streams(30):
        box, screen = inbox(), {}
        for n, post in enumerate(stream):
            shown = screen.get(post["id"])
            expected = shown != post
            screen[post["id"]] = post
            got = box.accept(dict(post))
            reordered = KEYS_REORDERED if not expected and list(shown) != list(post) else ""
            assert got is expected, (
                f"after {stream[:n]}, accept({post}) returned {got!r}, expected {expected!r}{reordered}: show a post "
                "whose id is new or whose title or body differs from what is shown now for that id, and nothing else"
            )
    proved("boundaries", 30)


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
