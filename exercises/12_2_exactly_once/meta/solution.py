"""Solution 12.2: show each post once, however often it arrives.

Why this way: at-most-once delivery plus a replay on reconnect means a post
may come twice; the client keeps what it has shown, by id, and treats the
same id with other content as an edit (lesson 12's page client does this):
it compares with what is shown now for that id, so a reverted edit is news too.
"""


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.shown: dict[int, dict] = {}

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) is new or edited and should be shown; False for a repeat."""
        if self.shown.get(post["id"]) == post:
            return False
        self.shown[post["id"]] = dict(post)  # a copy: the caller may change its dict in place later
        return True
