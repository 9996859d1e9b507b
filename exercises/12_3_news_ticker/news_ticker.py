"""Exercise 12.3 (fix): the ticker's group keeps every socket that ever failed.

TickerConsumer joins the group "fixnews" when a socket opens and sends each
{"type": "news.item", "headline": h} layer message to its client as
{"headline": h}; it leaves the group in websocket_disconnect.

After a day in production the group holds thousands of channels for a few
hundred open sockets, and every group_send does work for the dead ones.
Daphne's log has, now and then,

    Exception inside application: Attempt to send on a closed protocol

A send to a socket that is closing raises, the consumer ends, and
websocket.disconnect never comes (django/channels#1466; lessons 05 and 12).
Fix it so that the socket leaves the group however its consumer ends.

Rules (the check proves each one, and nothing else):

1. An accepted socket is in the group already (join, then accept), and
   each news.item reaches every open socket once, as {"headline": h}, the
   headline as it was sent.
2. websocket.disconnect ends the consumer and takes only its own socket
   out of the group: the others still get the headlines.
3. A socket whose send fails (no websocket.disconnect comes) leaves the
   group, and its consumer ends.
4. A consumer the server cancels leaves the group and ends cancelled; no
   task of it outlives it.
5. An error inside the consumer (a layer message no handler takes) still
   reaches the server, and the socket leaves the group.
6. A frame from the client (binary too) gets {"error": ...} on its own
   socket, never a crash, and reaches no other socket.
7. If the layer fails as the socket joins the group, that is told (the
   error goes through, or a close), never swallowed.
8. The event loop never stalls (no blocking wait before leaving).
9. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 12.3

The check is exercises/12_3_news_ticker/check.py; once you have tried,
`python manage.py exercise 12.3 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixnews"


class TickerConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def news_item(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"headline": event["headline"]})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        # TODO: does every consumer end through this handler?
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
