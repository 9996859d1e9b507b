# AsyncWebsocketConsumer with json.loads/json.dumps by hand, one try/except around the decoding, and a ValueError raised for every bad input and turned into the error frame.
"""Alternative 03.1: the adder on AsyncWebsocketConsumer, JSON done by hand.

add() raises ValueError for anything that is not two numbers with a sum;
receive answers every ValueError (and RecursionError, from JSON nested too
deep) with {"error": ...}.
"""

import json
import math

from channels.generic.websocket import AsyncWebsocketConsumer


def number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a and b must be numbers")
    try:
        if not math.isfinite(value):
            raise ValueError("a and b must be finite")
    except OverflowError:
        raise ValueError("a number that large has no JSON form") from None
    return value


def add(content):
    if not isinstance(content, dict):
        raise ValueError('expected {"a": <number>, "b": <number>}')
    return number(number(content.get("a")) + number(content.get("b")))


class AdderConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        try:
            if text_data is None:
                raise ValueError("expected a text frame")
            answer = {"sum": add(json.loads(text_data))}
        except (ValueError, RecursionError) as error:
            answer = {"error": str(error) or "bad input"}
        await self.send(text_data=json.dumps(answer))
