"""A binary frame gets an error frame and the socket stays open.

A classic wrong solution to exercise 03.2: a binary frame closes the socket.
The check says: "stays open"
"""


from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        if text_data is None:
            self.close(code=4400)
            return
        self.send(text_data=text_data)
