# The text case first, tested with isinstance, the error frame made once at import: a binary frame still gets a JSON text error and the socket stays open.
"""Alternative 03.2: echo when the frame is text, else send the one error frame."""

import json

from channels.generic.websocket import WebsocketConsumer

BINARY_REFUSED = json.dumps({"error": "binary frames are not accepted here, send text"})


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        if isinstance(text_data, str):
            self.send(text_data=text_data)
        else:
            self.send(text_data=BINARY_REFUSED)
