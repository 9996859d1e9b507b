# The sync twin: JsonWebsocketConsumer, its receive overridden to catch what json.loads raises, the numbers checked by a helper that returns the float or None.
"""Alternative 03.1: a sync JsonWebsocketConsumer adder.

Nothing here blocks (no database, no network), so a sync consumer serves as
well as an async one; receive catches malformed JSON before receive_json.
"""

import math

from channels.generic.websocket import JsonWebsocketConsumer


def finite(value):
    """value as a finite float if it is a JSON number a browser reads back, else None."""
    if type(value) not in (int, float):  # bool is a subclass of int, but not a number here
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


class AdderConsumer(JsonWebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            self.send_json({"error": "send JSON text, not binary"})
            return
        try:
            super().receive(text_data=text_data, **kwargs)
        except (ValueError, RecursionError):
            self.send_json({"error": "that is not JSON"})

    def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            self.send_json({"error": 'send an object {"a": ..., "b": ...}'})
            return
        a, b = content.get("a"), content.get("b")
        if finite(a) is None or finite(b) is None:
            self.send_json({"error": "a and b must be finite numbers"})
            return
        total = a + b
        if finite(total) is None:
            self.send_json({"error": "the sum is out of range"})
            return
        self.send_json({"sum": total})
