# The frame decoded in receive with json.loads(parse_constant=...) in a try/except, numbers checked by type and magnitude: every bad frame still gets its error.
"""Alternative 03.1: receive decodes the frame itself, refusing NaN and Infinity as it parses.

Events, in order: websocket.connect (accepted by the generic consumer),
websocket.receive (decoded here, then receive_json), websocket.disconnect.

parse_constant is called for NaN, Infinity and -Infinity only, so raising
there makes them bad JSON like any other. A number too large for a double
(1e400, or 400 digits) is no finite double: comparing its size with the
largest one is exact for ints and floats alike, and inf fails it.
"""

import json
import sys

from channels.generic.websocket import AsyncJsonWebsocketConsumer

LARGEST = sys.float_info.max


def no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def is_number(value: object) -> bool:
    """True for an int or float (not a bool) that a browser reads back as the same finite number."""
    return type(value) in (int, float) and abs(value) <= LARGEST


class AdderConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called on websocket.receive: decodes a text frame, answers anything else with an error."""
        if text_data is None:
            await self.send_json({"error": "expected a JSON text frame, got a binary frame"})
            return
        try:
            content = json.loads(text_data, parse_constant=no_constants)
        except (ValueError, RecursionError):
            await self.send_json({"error": 'expected JSON like {"a": 1, "b": 2}'})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each decoded frame, whatever JSON value it holds."""
        a = content.get("a") if isinstance(content, dict) else None
        b = content.get("b") if isinstance(content, dict) else None
        if not (is_number(a) and is_number(b)):
            await self.send_json({"error": 'expected {"a": <number>, "b": <number>}'})
        elif not is_number(a + b):
            await self.send_json({"error": "the sum is too large for a JSON number"})
        else:
            await self.send_json({"sum": a + b})
