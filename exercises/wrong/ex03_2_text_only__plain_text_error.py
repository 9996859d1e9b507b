"""The error is a JSON object {"error": ...}, not a bare sentence.

A classic wrong solution to exercise 03.2: the error is the plain text 'error: binary frames are not accepted here'.
The check says: "{"error": ...}"
"""


from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        if text_data is None:
            self.send(text_data="error: binary frames are not accepted here")
            return
        self.send(text_data=text_data)
