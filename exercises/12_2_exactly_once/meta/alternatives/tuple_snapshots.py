"""Alternative 12.2, a snapshot per id as a (title, body) tuple: the shown version kept as immutable values, swapped in one step.

Still right: the tuple keeps the title and the body apart (no text run together or joined), it is
built from the post's strings when accept() runs, so the caller may change its dict afterwards, and
it holds what is shown now for the id, so an edit and an edit reverted are both news.
"""


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.shown: dict[int, tuple[str, str]] = {}  # id -> (title, body) as shown now

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        snapshot = (post["title"], post["body"])
        before = self.shown.get(post["id"])
        self.shown[post["id"]] = snapshot
        return before != snapshot
