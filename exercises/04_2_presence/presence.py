"""Exercise 04.2: Tell the room who joins and who leaves.

PresenceConsumer gives each socket a name of its own, "guest-" and six
random hex digits (like lesson 04's chat); when a socket joins the group
"expresence", every socket in it (itself included) receives {"joined":
<name>}; when it leaves, the others receive {"left": <name>}. Frames from
the client reach no one: this room only announces.

Rules (the check proves each one, and nothing else):

1. Each socket gets a name of its own, "guest-" and six hex digits,
   every digit drawn at random (no counter, no clock, no id), unlike any
   other socket's, on this server process or another.
2. When a socket opens it is in the group "expresence" first, then every
   socket in the room, itself included, receives {"joined": <its name>};
   when it closes, whatever the close code, the others receive {"left":
   <its name>}.
3. Each announcement is awaited in the handler that makes it (none left
   to a task), and no handler stalls the event loop (no time.sleep).
4. A frame from a client, of any kind, reaches no one, and never crashes
   the consumer.
5. A socket that closed has left the group before its leave goes out,
   its consumer has ended, and nothing is kept for it on the class or
   the module.
6. When the channel layer fails as a socket joins (its Redis down), the
   failure is told, never swallowed: let the error through (the socket
   closes with 1011 and the server logs it), or answer {"error": ...}.
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 04.2

The check is exercises/04_2_presence/check.py; once you have tried,
`python manage.py exercise 04.2 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "expresence"


class PresenceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        # TODO: pick a name and announce {"joined": name} to the group

    # TODO: a handler for your presence messages

    async def websocket_receive(self, event):
        """Called for every frame: this room only announces."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        # TODO: now that this socket has left, announce {"left": name} to the others
        raise StopConsumer()
