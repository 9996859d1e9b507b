"""Alternative 12.2, operator.itemgetter for the content and a sentinel for "never shown".

Still right: CONTENT(post) is the (title, body) tuple, each kept apart; a missing id gives the sentinel,
which equals no tuple, so a new post is shown; the tuple is built now, so the caller may change its dict
afterwards; one tuple per id, replaced at each change, so an edit reverted is news.
"""

from operator import itemgetter

CONTENT = itemgetter("title", "body")
NEVER = object()


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.content = {}

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        content = CONTENT(post)
        if self.content.get(post["id"], NEVER) == content:
            return False
        self.content[post["id"]] = content
        return True
