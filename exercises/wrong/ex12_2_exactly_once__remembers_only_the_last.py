"""Remember every post shown, by id: a replay brings back more than the last one.

A classic wrong solution to exercise 12.2: only the last post shown is remembered.
The check says: "not only the last one"
"""


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.last: dict | None = None

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) is new or edited and should be shown; False for a repeat."""
        if self.last == post:
            return False
        self.last = post
        return True
