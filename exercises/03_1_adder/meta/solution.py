"""Solution 03.1: a JSON consumer that adds two numbers.

Events, in order: websocket.connect (accepted by the generic consumer),
websocket.receive (decoded, then receive_json), websocket.disconnect.

Why this way: AsyncJsonWebsocketConsumer decodes each text frame before
receive_json; a frame that is not JSON raises inside that decoding, so
`receive` catches it and answers with an error frame instead of crashing the
socket (lesson 03's JsonEchoConsumer does the same). Python's json accepts
NaN and Infinity, which are no JSON numbers: a number or a sum that is not
a finite double would go out as a frame no browser's JSON.parse reads back,
so it is an error too.
"""

import json
import math

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def is_number(value: object) -> bool:
    """True for a number a browser's JSON.parse reads back as the same finite number."""
    # bool is an int in Python, but true + false is not a sum anyone meant.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))  # NaN, Infinity: json.loads takes them, JSON has no such numbers
    except OverflowError:  # an integer of 400 digits is no double either
        return False


class AdderConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called on websocket.receive: bad frames get an error, good ones go on to receive_json."""
        if text_data is None:
            await self.send_json({"error": "expected a JSON text frame, got a binary frame"})
            return
        try:
            await super().receive(text_data=text_data, **kwargs)
        except (ValueError, RecursionError):
            await self.send_json({"error": 'expected JSON like {"a": 1, "b": 2}'})

    async def receive_json(self, content, **kwargs):
        """Called with each decoded frame, whatever JSON value it holds."""
        if not isinstance(content, dict) or not is_number(content.get("a")) or not is_number(content.get("b")):
            await self.send_json({"error": 'expected {"a": <number>, "b": <number>}'})
            return
        total = content["a"] + content["b"]
        if not is_number(total):  # 1e308 + 1e308 overflows to inf
            await self.send_json({"error": "the sum is too large for a JSON number"})
            return
        await self.send_json({"sum": total})

    @classmethod
    async def decode_json(cls, text_data):
        """Called by receive for each text frame: plain json.loads, whose ValueError receive catches."""
        return json.loads(text_data)
