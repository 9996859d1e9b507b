# AsyncJsonWebsocketConsumer (async, generic): a database_sync_to_async method, send_json(), and receive() overridden for binary frames.
"""Alternative 08.1: the history socket as an AsyncJsonWebsocketConsumer.

The query is a method decorated with database_sync_to_async, evaluated
with list() inside it, so no lazy queryset reaches the event loop.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from db_demo.models import ChatMessage


class HistoryConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        await self.accept()
        await self.send_json({"history": await self.history(self.scope["url_route"]["kwargs"]["room"])})

    @database_sync_to_async
    def history(self, room: str) -> list[str]:
        """The room's newest five texts, oldest first: run in Django's sync thread."""
        newest = list(ChatMessage.objects.filter(room=room).order_by("-pk")[:5])
        newest.reverse()
        return [message.text for message in newest]

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for any frame, text or binary: none is read."""
        await self.send_json({"error": "this socket only sends: frames from the client are not read"})
