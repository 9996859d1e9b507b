"""A dispatch without the sync-thread hop: the lesson 02 echo that a busy sync thread cannot hold up.

Events, in the order they happen on one connection (exactly EchoConsumer's):

    websocket.connect     -> websocket.accept
    websocket.receive     -> websocket.send, the same text or bytes
    websocket.disconnect  -> StopConsumer

AsyncConsumer.dispatch awaits aclose_old_connections() before every handler:
sync_to_async(close_old_connections), thread-sensitive, so it queues on the
process's one sync thread behind every SyncConsumer handler and every
database_sync_to_async call (django/channels#2132). This consumer never touches
the database, so its dispatch skips that hop. The risk it takes: nothing closes
stale database connections for it any more. Never do this in a consumer that
uses the ORM. Lesson: lessons/02-async-consumer.md
"""

from channels.consumer import get_handler_name

from async_demo.consumers import EchoConsumer


class HopFreeEchoConsumer(EchoConsumer):
    """ws/async/hop-free-echo/: EchoConsumer, with a dispatch that never waits for the sync thread."""

    async def dispatch(self, message):
        """Called for every event: AsyncConsumer.dispatch minus `await aclose_old_connections()`."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
