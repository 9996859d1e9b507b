# The image read by a small function and the reply chosen in try/except ChannelFull/else: a full queue is still an error frame at once, the socket open.
"""Alternative 05.4: image_of() reads the frame; the send's try has an else for the good news.

The events, in order: websocket.connect (accept); websocket.receive for each
frame (a job sent to "fixthumbs", then {"queued": ...}, or {"error": ...});
websocket.disconnect (StopConsumer).
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer

QUEUE = "fixthumbs"


def image_of(text: str | None) -> str | None:
    """The frame's image name, or None when the frame is not {"image": "<printable name>"}."""
    try:
        request = json.loads(text or "")
    except (ValueError, RecursionError):
        return None
    image = request.get("image") if isinstance(request, dict) else None
    return image if isinstance(image, str) and image and image.isprintable() else None


class ThumbnailConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        image = image_of(event.get("text"))
        if image is None:
            answer = {"error": 'expected {"image": "<name>"}'}
        else:
            try:
                await self.channel_layer.send(
                    QUEUE, {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
                )
            except ChannelFull:  # the worker is behind: the client may try again later
                answer = {"error": "the thumbnail queue is full, try again in a moment"}
            else:
                answer = {"queued": image}
        await self.send({"type": "websocket.send", "text": json.dumps(answer)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
