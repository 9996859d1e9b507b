"""The error goes back as a text frame holding JSON.

A classic wrong solution to exercise 03.2: the error is sent as a binary frame.
The check says: "text frame"
"""

import json

from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        if text_data is None:
            self.send(bytes_data=json.dumps({"error": "binary frames are not accepted here"}).encode())
            return
        self.send(text_data=text_data)
