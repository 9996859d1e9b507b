"""One bad frame gets an error frame, not a closed socket.

A classic wrong solution to exercise 03.1: bad input gets its error, then the socket is closed.
The check says: "stays open"
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def is_number(value: object) -> bool:
    # bool is an int in Python, but true + false is not a sum anyone meant.
    return isinstance(value, int | float) and not isinstance(value, bool)


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
            await self.close(code=4400)
            return
        await self.send_json({"sum": content["a"] + content["b"]})

    @classmethod
    async def decode_json(cls, text_data):
        return json.loads(text_data)
