"""Exercise 12.2: Show each post once, however often it arrives.

A reconnecting client gets a replay (lesson 12), so a post can arrive twice.
Write Inbox.accept(post): True for a post to show (a new id, or a known id
whose title or body differs from what is shown now for it: an edit, or an
edit reverted), False for an exact repeat. Each client has its own Inbox, and
a caller may change its dict in place after accept() returns.

Edit this file, then check it:

    python manage.py exercise 12.2

The check is exercises/12_2_exactly_once/check.py; once you have tried,
`python manage.py exercise 12.2 --solution` shows where the solution is.
"""


class Inbox:
    """What a client has shown so far."""

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        # TODO: remember what was shown, by id
        return True
