"""Exercise 06.2: Announce to a chat room from synchronous code.

announce(room, text) is called from plain synchronous code (a view, a
command). It must send {"type": "chat.message", "message": text, "sender":
"announce"} to the group "chat-<room>".

Rules (the check proves each one, and nothing else):

1. The group "chat-<room>" gets exactly {"type": "chat.message", "message":
   text, "sender": "announce"}, the text whole: a long one too (past the
   4,096 characters a client may send); a limit of your own raises
   ValueError, never cuts the text short.
2. announce() returns only once the message is in the group, however slow
   the layer is.
3. Every socket of the room hears it, and no other room does (room names
   keep their case: Lobby is not lobby).
4. The layer's group_send runs on the server's own event loop, never on a
   loop made for the call (asyncio.run, a new event loop).
5. A layer failure (ChannelFull) reaches the caller: announce() raises it.
6. Nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
