"""Unknown WebSocket paths: refuse the handshake instead of crashing.

Without a catch-all, URLRouter raises ValueError for a path it does not know
and the server answers the handshake with HTTP 500 and a traceback. This raw
consumer hears `websocket.connect` and answers `websocket.close`, which Daphne
turns into HTTP 403 before the socket opens; then `websocket.disconnect`
arrives and the consumer stops. Lesson 00 explains it.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class UnknownPathConsumer(AsyncConsumer):
    """The catch-all route: refuses a socket on any path no app claims (HTTP 403), never a 500."""

    async def websocket_connect(self, event):
        """Called when a client asks to open a socket on a path no app routes."""
        await self.send({"type": "websocket.close"})

    async def websocket_disconnect(self, event):
        """Called once the refused handshake is over; without it the consumer would crash here."""
        raise StopConsumer()
