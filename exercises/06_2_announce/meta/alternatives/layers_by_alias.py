# The layer looked up by its alias in channels.layers.channel_layers (what get_channel_layer() does), the message built with dict().
"""Alternative 06.2: the default layer from the channel_layers registry, and async_to_sync around its group_send.

channel_layers[DEFAULT_CHANNEL_LAYER] is the same layer object
get_channel_layer() returns: built once per process from CHANNEL_LAYERS.
"""

from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    message = dict(type="chat.message", message=text, sender="announce")
    send = async_to_sync(channel_layers[DEFAULT_CHANNEL_LAYER].group_send)
    send("chat-" + room, message)
