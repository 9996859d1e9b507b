# The sync JsonWebsocketConsumer: every layer call through async_to_sync, bad input answered from one table of reasons.
"""Alternative 04.1: JsonWebsocketConsumer (sync), the layer reached through async_to_sync.

Events, in order: websocket.connect (connect(): join "exroom", accept, send
{"you": channel name}); websocket.receive for each frame (receive(): a
group_send to the room, or a channel_layer.send to one channel);
chat.message from the layer for each message this socket must show;
websocket.disconnect (disconnect(): leave the room).

Each handler runs in a worker thread; async_to_sync runs the layer's
coroutine on the server's loop and waits for it, so a ChannelFull or a
TypeError comes back here as it would in async code.
"""

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.generic.websocket import JsonWebsocketConsumer

GROUP = "exroom"
REFUSED = {
    TypeError: "no such address",  # the layer takes no such channel name
    ChannelFull: "not delivered: that socket is not reading its messages",
}


def message_of(content) -> str | None:
    """The frame's message if it is a non-empty string of valid Unicode, else None."""
    message = content.get("message") if isinstance(content, dict) else None
    if not isinstance(message, str) or not message:
        return None
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON can spell
        return None
    return message


class WhisperConsumer(JsonWebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket: join the room, accept, say its address."""
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()
        self.send_json({"you": self.channel_name})

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame: {"message": m} to all, {"to": address, "message": m} to one."""
        try:
            content = self.decode_json(text_data) if text_data else None
        except (ValueError, RecursionError):  # not JSON, or nested too deep
            content = None
        message = message_of(content)
        if message is None:
            self.send_json({"error": 'expected {"message": "<text>"}, optionally with "to": "<address>"'})
            return
        layer_message = {"type": "chat.message", "message": message}
        try:
            if "to" in content:
                async_to_sync(self.channel_layer.send)(content["to"], layer_message)
            else:
                async_to_sync(self.channel_layer.group_send)(GROUP, layer_message)
        except tuple(REFUSED) as error:
            self.send_json({"error": REFUSED[type(error)]})

    def chat_message(self, event):
        """Called when the layer delivers a chat.message, from the room or whispered."""
        self.send_json({"message": event["message"]})

    def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the room."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
