"""Generic consumers, sync side: WebsocketConsumer wraps lesson 01's raw events (lesson 03).

Events, in the order they happen, and the method WebsocketConsumer calls for each:

    websocket.connect     -> connect()                        we call accept(): it sends websocket.accept
    websocket.receive     -> receive(text_data=, bytes_data=)  we call send(): it sends websocket.send
    websocket.disconnect  -> disconnect(code)                  then it raises StopConsumer for us

Lesson: lessons/03-generic-consumers.md
"""

from channels.generic.websocket import WebsocketConsumer


class GenericEchoConsumer(WebsocketConsumer):
    """ws/sync/generic-echo/: lesson 01's echo, with WebsocketConsumer handling the raw events."""

    channel_layer_alias = None  # no channel layer needed (see consumers.EchoConsumer)

    def connect(self):
        """Called on websocket.connect; the default does exactly this, shown here to be seen."""
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame, already unpacked: exactly one argument is not None."""
        self.send(text_data=text_data, bytes_data=bytes_data)
