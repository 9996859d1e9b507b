"""Exercise 06.2: Announce to a chat room from synchronous code.

announce(room, text) is called from plain synchronous code (a view, a
command). It must send {"type": "chat.message", "message": text, "sender":
"announce"} to the group "chat-<room>".

Edit this file, then check it:

    python manage.py exercise 06.2

The check is exercises/06_2_announce/check.py; once you have tried,
`python manage.py exercise 06.2 --solution` shows where the solution is.
"""

from asgiref.sync import async_to_sync  # noqa: F401  (you will need them)
from channels.layers import get_channel_layer  # noqa: F401


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    # TODO: group_send through async_to_sync
