# The generic AsyncJsonWebsocketConsumer: receive() decodes the frame itself (a binary frame, not JSON, too deep: an error), receive_json() queues the job.
"""Alternative 05.4: AsyncJsonWebsocketConsumer, a full queue answered {"error": ...} from receive_json().

Events, in order: websocket.connect (the generic consumer accepts);
websocket.receive for each frame (receive(), then receive_json(): the job
sent to "fixthumbs", or an error); websocket.disconnect (the generic
consumer stops).

The generic receive() raises on a binary frame ("No text section") and on
text that is not JSON: it is overridden so that every such frame gets an
error like any other bad frame.
"""

from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer

QUEUE = "fixthumbs"
SHAPE = {"error": 'expected {"image": "<name>"}'}


class ThumbnailConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame: only a text frame holding JSON goes on to receive_json()."""
        try:
            content = await self.decode_json(text_data) if text_data else None
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            content = None
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each decoded frame: {"image": <name>} queues one job."""
        image = content.get("image") if isinstance(content, dict) else None
        if not isinstance(image, str) or not image or not image.isprintable():  # "\ud800" cannot cross Redis
            await self.send_json(SHAPE)
            return
        try:
            await self.channel_layer.send(
                QUEUE, {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
            )
        except ChannelFull:  # the worker is behind: the client may try again later
            await self.send_json({"error": "the thumbnail queue is full: try again in a moment"})
        else:
            await self.send_json({"queued": image})
