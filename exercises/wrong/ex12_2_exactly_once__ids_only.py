"""An edited post (same id, new content) is news: compare the whole post.

A classic wrong solution to exercise 12.2: only ids are remembered, so an edit is never shown.
The check says: "compare the whole post"
"""


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.shown: dict[int, dict] = {}

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) is new or edited and should be shown; False for a repeat."""
        if post["id"] in self.shown:
            return False
        self.shown[post["id"]] = post
        return True
