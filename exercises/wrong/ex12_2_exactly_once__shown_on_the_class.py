"""Each client's inbox keeps its own memory: state on self, not on the class.

A classic wrong solution to exercise 12.2: what was shown is a class attribute every Inbox shares.
The check says: "not on the class"
"""


class Inbox:
    """What a client has shown so far."""

    shown: dict[int, dict] = {}  # noqa: RUF012

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) is new or edited and should be shown; False for a repeat."""
        if self.shown.get(post["id"]) == post:
            return False
        self.shown[post["id"]] = post
        return True
