# The sync JsonWebsocketConsumer: the send run to its end by async_to_sync, ChannelFull caught around it in the worker thread.
"""Alternative 05.4: JsonWebsocketConsumer (sync), ChannelFull caught around async_to_sync(channel_layer.send).

Events, in order: websocket.connect (the generic consumer accepts);
websocket.receive for each frame (receive(): the job sent to "fixthumbs",
or an error); websocket.disconnect (the generic consumer stops).

async_to_sync raises in this thread what send() raised on the server's
loop: ChannelFull is caught here as in async code, and nothing waits for
room.
"""

import json

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.generic.websocket import JsonWebsocketConsumer

QUEUE = "fixthumbs"


def image_of(text_data) -> str | None:
    """The frame's image name, or None for any other shape."""
    try:
        request = json.loads(text_data) if text_data else None
    except (ValueError, RecursionError):  # not JSON, or nested too deep
        return None
    image = request.get("image") if isinstance(request, dict) else None
    if isinstance(image, str) and image and image.isprintable():  # "\ud800" cannot cross Redis
        return image
    return None


class ThumbnailConsumer(JsonWebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame: {"image": <name>} queues one job, anything else is an error."""
        image = image_of(text_data)  # a binary frame has no text_data: None
        if image is None:
            self.send_json({"error": 'expected {"image": "<name>"}'})
            return
        job = {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
        try:
            async_to_sync(self.channel_layer.send)(QUEUE, job)
        except ChannelFull:
            self.send_json({"error": "not queued: the queue is full, try again later"})
            return
        self.send_json({"queued": image})
