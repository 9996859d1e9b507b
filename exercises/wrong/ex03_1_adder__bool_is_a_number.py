"""true and false are not numbers: bad input gets an error frame.

A classic wrong solution to exercise 03.1: isinstance(value, int | float) lets booleans through, so true + 1 is 2.
The check says: "not numbers"
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def is_number(value: object) -> bool:
    return isinstance(value, int | float)


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
        """Called with each decoded frame."""
        if not isinstance(content, dict) or not is_number(content.get("a")) or not is_number(content.get("b")):
            await self.send_json({"error": 'expected {"a": <number>, "b": <number>}'})
            return
        await self.send_json({"sum": content["a"] + content["b"]})

    @classmethod
    async def decode_json(cls, text_data):
        return json.loads(text_data)
