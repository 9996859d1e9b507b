"""Exercise 14.1 (fix): memory grows with every socket that comes and goes.

OnlineConsumer tells each socket who else is online in this process. On
connect it names the socket, keeps the name in the module-level dict ONLINE
(channel name -> name), joins the group "fixonline", accepts, and sends
{"online": [every name in ONLINE]}. A text frame goes to the whole group and
arrives as {"from": name, "text": text}. websocket_disconnect forgets the
socket: ONLINE and the group.

The number of open sockets stays flat at a few hundred all day, yet the
process's memory grows with every connection that comes and goes; by
evening ONLINE holds 40,000 names and a new socket's list shows people who
left hours ago. Daphne's log has, now and then,

    Exception inside application: Attempt to send on a closed protocol

A send to a socket that is closing raises, the consumer ends, and
websocket.disconnect never comes (django/channels#1466; lesson 14's churn).
The server also cancels a consumer that outlives its socket (Daphne: after
application_close_timeout, 10 s; every consumer at shutdown). Fix it so
that a socket is forgotten however its consumer ends.

Rules (the check proves each one, and nothing else):

1. On connect a socket gets a name no other open socket has, and is sent
   {"online": [every name in ONLINE]}, its own name included.
2. A text frame reaches every open socket once, as {"from": <the sender's
   name>, "text": <the text exactly as sent>}; no frame of any kind (binary,
   empty, not text) crashes the consumer or reaches another socket.
3. However a consumer ends, its socket is forgotten (its name leaves ONLINE,
   its channel leaves the group) and no other socket is: on websocket.disconnect
   (the consumer then stops), on a send that raises, when the server cancels
   it, and when the server cancels it again while its clean-up awaits (the
   name leaves ONLINE all the same).
4. The clean-up awaits its group_discard before the consumer ends, and nothing
   blocks the event loop (no time.sleep, no blocking wait) or sets
   DJANGO_ALLOW_ASYNC_UNSAFE.
5. Errors end the consumer and reach the server: a cancellation is raised on,
   never swallowed, and so is any other error (a bug, a channel layer that
   fails while the socket joins or sends).

Edit this file, then check it:

    python manage.py exercise 14.1

The check is exercises/14_1_online_list/check.py; once you have tried,
`python manage.py exercise 14.1 --solution` shows where the solution is.
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        self.name = f"guest-{uuid.uuid4().hex[:6]}"
        ONLINE[self.channel_name] = self.name
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"online": sorted(ONLINE.values())})})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(
                GROUP, {"type": "room.message", "from": self.name, "text": event["text"]}
            )

    async def room_message(self, event):
        frame = {"from": event["from"], "text": event["text"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        # TODO: does every consumer end through this handler?
        ONLINE.pop(self.channel_name, None)
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
