"""Alternative 12.2, the shown version kept as JSON text with sorted keys: a string per id, compared as text.

Still right: json.dumps(post, sort_keys=True) writes the same text for the same post whatever order its
keys came in, and different text for any other title or body (each value quoted and escaped on its own,
so no two posts run together the same); a str is immutable, so the caller may change its dict
afterwards; one text per id is what is shown now, so an edit reverted is news.
"""

import json


class Inbox:
    """What a client has shown so far."""

    def __init__(self):
        self.texts: dict[int, str] = {}

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        text = json.dumps(post, sort_keys=True)
        if self.texts.get(post["id"]) == text:
            return False
        self.texts[post["id"]] = text
        return True
