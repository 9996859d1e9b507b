"""Exercise 04.2: Tell the room who joins and who leaves.

PresenceConsumer gives each socket a name of its own, "guest-" and six
random hex digits (like lesson 04's chat); when a socket joins the group
"expresence", every socket in it (itself included) receives {"joined":
<name>}; when it leaves, the others receive {"left": <name>}. Frames from
the client reach no one: this room only announces.

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
