# A match statement on (text_data, bytes_data): a str is echoed, anything else (bytes, empty or not) gets the error by json.dumps.
"""Alternative 03.2: the frame matched by the type of its text.

case (str(), _) matches any text, the empty one too; every other frame is
binary, whatever its bytes.
"""

import json

from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        match (text_data, bytes_data):
            case (str(), _):
                self.send(text_data=text_data)
            case _:
                self.send(text_data=json.dumps({"error": "binary frames are not accepted"}))
