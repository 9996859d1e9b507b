"""Exercise 12.2: Show each post once, however often it arrives.

A reconnecting client gets a replay (lesson 12), so a post can arrive twice.
Write Inbox.accept(post): True for a post to show (new, or the same id with an
edited title or body), False for an exact repeat.

Edit this file, then check it:

    python manage.py exercise 12.2

The check is exercises/checks/check_12_2_exactly_once.py; once you have tried,
`python manage.py exercise 12.2 --solution` shows where the solution is.
"""


class Inbox:
    """What a client has shown so far."""

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        # TODO: remember what was shown, by id
        return True
