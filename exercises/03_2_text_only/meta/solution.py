"""Solution 03.2: a WebsocketConsumer that echoes text and refuses binary frames politely.

Why this way: `receive` gets exactly one of text_data and bytes_data; an
error frame keeps the socket open, where a close would punish a client for
one bad frame.
"""

import json

from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        if text_data is None:
            self.send(text_data=json.dumps({"error": "binary frames are not accepted here"}))
            return
        self.send(text_data=text_data)
