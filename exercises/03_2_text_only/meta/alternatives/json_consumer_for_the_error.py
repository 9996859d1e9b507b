# JsonWebsocketConsumer (a WebsocketConsumer too): receive overridden, text echoed with send(text_data=...), the error sent with send_json.
"""Alternative 03.2: JsonWebsocketConsumer's send_json writes the error frame.

Its receive is overridden, so no frame is decoded as JSON: text goes back as
it came, and only the error is built by send_json.
"""

from channels.generic.websocket import JsonWebsocketConsumer


class TextOnlyConsumer(JsonWebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            self.send_json({"error": "this socket takes text frames only"})
        else:
            self.send(text_data=text_data)
