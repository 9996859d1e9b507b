"""Generic consumers, async side: AsyncJsonWebsocketConsumer (lesson 03).

Events, in the order they happen, and the methods the generic consumer calls for each:

    websocket.connect     -> connect()                        the default awaits accept(): websocket.accept
    websocket.receive     -> receive(text_data=, bytes_data=)  -> decode_json() -> receive_json(content)
                             we reply with send_json(content)  -> encode_json() -> send(): websocket.send
    websocket.disconnect  -> disconnect(code)                  then it raises StopConsumer for us

The parent's receive() raises on a binary frame and on text that is not JSON,
which would crash the socket with 1011. This consumer answers {"error": ...}
instead and keeps the socket open. Lesson: lessons/03-generic-consumers.md
"""

import json
import math

from channels.generic.websocket import AsyncJsonWebsocketConsumer

MAX_DEPTH = 64  # nested arrays/objects; json.dumps recurses, so an unbounded echo could crash it


def reject_constant(name: str):
    """Called by json.loads for NaN, Infinity and -Infinity: Python accepts them, JSON does not."""
    raise ValueError(f"{name}, which JSON does not allow")


def finite_float(text: str) -> float:
    """Called by json.loads for every number with a fraction or exponent: 1e400 would become inf."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text}, a number too large to echo as JSON")
    return value


def nesting_depth(value) -> int:
    """How deeply arrays and objects nest in a decoded value (a loop: nothing to overflow)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class JsonEchoConsumer(AsyncJsonWebsocketConsumer):
    """ws/async/json-echo/: a JSON text frame V comes back as {"echo": V}; anything else gets {"error": ...}."""

    channel_layer_alias = None  # no channel layer needed (see consumers.EchoConsumer)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame. Replaces the parent's, which raises on binary frames and bad JSON."""
        if text_data is None:
            await self.send_json(
                {"error": f"expected a JSON text frame, got a binary frame of {len(bytes_data)} bytes"}
            )
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError as error:
            await self.send_json({"error": f"expected a JSON text frame, got {error}"})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each text frame's decoded JSON value."""
        await self.send_json({"echo": content})

    @classmethod
    async def decode_json(cls, text_data):
        """Called by receive() to parse a text frame; its ValueError says what arrived instead."""
        try:
            content = json.loads(text_data, parse_constant=reject_constant, parse_float=finite_float)
            too_deep = nesting_depth(content) > MAX_DEPTH
        except json.JSONDecodeError as error:
            raise ValueError(f"text that is not JSON ({error})") from None
        except RecursionError:  # far deeper than MAX_DEPTH: the parser itself gave up
            too_deep = True
        if too_deep:
            raise ValueError(f"arrays and objects nested more than {MAX_DEPTH} deep")
        return content
