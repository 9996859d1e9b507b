"""Exercise 05.4 (fix): when the thumbnail queue is full, the socket dies.

ThumbnailConsumer queues a job for a worker (lesson 06) for each frame
{"image": <name>}: it sends {"type": "thumbnail.make", "image": <name>,
"reply_to": <its channel>} to the channel "fixthumbs" and answers {"queued":
<name>}; anything else gets {"error": ...}. All day it works. Then the
worker falls behind, the queue reaches the layer's capacity, and every
socket that sends one more image is closed with 1011; the server logs a
traceback ending in

    channels.exceptions.ChannelFull

(django/channels_redis#22; lesson 05's table of the layer's limits). Fix it
so that a full queue is the client's news, not a crash: the client is told
{"error": ...} at once, and the socket stays open for the next try.

Rules (the check proves each one, and nothing else):

1. Each frame {"image": <name>} queues one job {"type":
   "thumbnail.make", "image": <name>, "reply_to": <this socket's
   channel>} on the channel "fixthumbs", awaited, and is answered
   {"queued": <name>}; the job is built from those three keys alone (a
   "reply_to", "type" or other key the client sends never rides along).
2. When the queue is full (send() raises ChannelFull), whoever filled
   it, this process or another, the sender is told {"error": ...} at
   once, on its own socket alone; the socket stays open, the refused job
   is never queued later (no retry, no task), and the next try once
   there is room is queued.
3. A frame of any other shape (not JSON, not an object, no "image" or
   not a non-empty string, nested too deep, a binary frame) gets
   {"error": ...} on its own socket, queues nothing, reaches no one else
   and never crashes the consumer.
4. A layer that fails otherwise (its Redis down: ConnectionError) is
   never told as a full queue nor as queued: let the error through (the
   socket closes with 1011 and the server logs it), or answer an error
   that does not say "full".
5. No handler stalls the event loop (no time.sleep, no waiting for
   room).
6. The consumer ends on websocket.disconnect.
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 05.4

The check is exercises/05_4_thumbnail_queue/check.py; once you have
tried, `python manage.py exercise 05.4 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer  # noqa: F401

QUEUE = "fixthumbs"


class ThumbnailConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        try:
            request = json.loads(event.get("text") or "null")
        except ValueError:
            request = None
        image = request.get("image") if isinstance(request, dict) else None
        if not isinstance(image, str) or not image.isprintable() or not image:  # "\ud800" cannot cross Redis
            return await self.reply({"error": 'expected {"image": "<name>"}'})
        job = {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
        # TODO: what does send() do when the queue is full?
        await self.channel_layer.send(QUEUE, job)
        await self.reply({"queued": image})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
