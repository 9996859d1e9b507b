"""Exercise 12.2: Show each post once, however often it arrives.

A reconnecting client gets a replay (lesson 12), so a post can arrive twice.
Write Inbox.accept(post): True for a post to show (a new id, or a known id
whose title or body differs from what is shown now for it: an edit, or an
edit reverted), False for an exact repeat. Each client has its own Inbox, and
a caller may change its dict in place after accept() returns.

Rules (the check proves each one, and nothing else):

1. A post with an id not shown before gets True; the same post arriving
   again, any number of times (a replay of 150 posts, in any order), False.
2. A post whose title or body differs from what is shown now for its id
   gets True: an edit, a capital letter, the same letters split otherwise
   between title and body; the edited post arriving again gets False.
3. A post edited, then reverted to its first text, gets True: compare with
   what is shown now for the id, not with every version seen.
4. The caller may change its dict after accept(): what the Inbox remembers
   does not change with it.
5. Each Inbox remembers for itself: another Inbox, or a new one made after
   another is gone, starts with nothing shown.
6. In any stream of posts, accept() is True exactly for the new and the
   changed (a post with its keys in another order is the same post).
7. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
