"""Alternative 12.2, a frozen dataclass for what is shown of a post, and a class attribute made per instance.

Still right: Shown(title, body) compares field by field (no text run together), it is frozen and built
from the post's strings, so a change to the caller's dict later cannot reach it; field(default_factory=
dict) gives each Inbox a dict of its own; one Shown per id is what is on screen now.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Shown:
    title: str
    body: str


@dataclass
class Inbox:
    """What a client has shown so far."""

    on_screen: dict[int, Shown] = field(default_factory=dict)

    def accept(self, post: dict) -> bool:
        """True if `post` ({"id", "title", "body"}) should be shown; False for a repeat."""
        now = Shown(post["title"], post["body"])
        if self.on_screen.get(post["id"]) == now:
            return False
        self.on_screen[post["id"]] = now
        return True
