"""Lesson 05: lesson 04's chat room, hardened for production (ws/chat/<room>/).

The same raw AsyncConsumer and the same events as layers_demo/plain_chat.py;
what this file adds is lesson 05: a flood limit, a membership that is renewed
while the socket lives, and 4503 instead of a crash when Redis is gone (or
PostgreSQL, on lesson 15's layer). The events, in order:

    websocket.connect     -> check the room name (bad: accept, close 4400); group_add;
                             websocket.accept
    websocket.receive     -> flood checks (this socket's, its user's and address's),
                             parse the frame; group_send a layer message
                             {"type": "chat.message", ...}. Bad input: {"error": ...}
                             to the sender alone, the socket stays open
    chat.message          -> (from the layer, once per socket in the room, sender too)
                             websocket.send {"message": ..., "sender": ...}
    websocket.disconnect  -> group_discard; StopConsumer (group_discard also runs if the
                             consumer ends without this event: see __call__)

While the socket is open a background task renews its membership, and a Redis
outage that outlasts the layer's retries closes the socket with 4503 (try again
later) instead of crashing it (1011). Its dispatch skips the sync-thread hop
that AsyncConsumer.dispatch makes before every handler (lesson 02, django/channels#2132):
this consumer never touches the database, and in a room of N sockets that hop
was paid N times per message, all on the process's one sync thread. Lessons: lessons/05-redis-layer.md (Redis,
flood control), lessons/06-outside-the-consumer.md, lesson 16 (the flooder across sockets:
layers_demo/flood_budgets.py); the plain version is lesson 04's.
"""

import asyncio
import contextlib
import json
import logging
import uuid

from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer
from psycopg import OperationalError as PostgresUnavailable
from redis.exceptions import RedisError

from layers_demo.flood import chat_rate_limit
from layers_demo.flood_budgets import shared_budgets
from layers_demo.membership import renew_membership, stop
from layers_demo.validation import BAD_ROOM, ClientError, is_valid_room, parse_message, room_group
from lessons.clients import budget_keys

logger = logging.getLogger(__name__)
# The close code for "the channel layer is down, reconnect later", like HTTP 503.
# (Daphne lets an application close only with 1000 or 3000-4999.)
LAYER_UNAVAILABLE = 4503
# What a production layer raises when its store is unreachable: Redis's errors,
# or PostgreSQL's (CHANNEL_LAYER=postgres, lesson 15).
LAYER_ERRORS = (RedisError, PostgresUnavailable)


class ChatConsumer(AsyncConsumer):
    """ws/chat/<room>/: every socket in the room receives every message sent to it."""

    group: str | None = None  # set once the socket has joined its room
    keeper: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        """Called once per socket: AsyncConsumer's loop feeds socket events and layer messages to handlers."""
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as error:
            # The layer's own receive loop raises here too, outside any handler.
            logger.warning("chat socket closed with %s: the channel layer failed: %r", LAYER_UNAVAILABLE, error)
            await send({"type": "websocket.close", "code": LAYER_UNAVAILABLE})
        finally:
            # Here, not only in websocket_disconnect: a send to a socket that is
            # closing raises (Daphne: RuntimeError, uvicorn: OSError), and then no
            # websocket.disconnect ever comes (django/channels#1466).
            await self.leave()

    async def dispatch(self, message):
        """Called for every event: AsyncConsumer.dispatch minus `await aclose_old_connections()`."""
        # That hop closes stale database connections on the one sync thread. This
        # consumer makes no query (the user was loaded by the middleware), so it
        # skips it; a consumer that uses the ORM must keep it (lesson 08).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, event):
        """Called when a client asks to open the socket; the handshake waits for our answer."""
        room = self.scope["url_route"]["kwargs"]["room"]
        if not is_valid_room(room):
            # Accept, then close with 4400: a refused handshake shows a browser only
            # 1006. A bad name never becomes a group, so it can never reach anyone.
            await self.send({"type": "websocket.accept"})
            await self.send({"type": "websocket.close", "code": 4400, "reason": BAD_ROOM})
            return
        self.group = room_group(room)
        self.sender = f"guest-{uuid.uuid4().hex[:6]}"
        self.rate_limit = chat_rate_limit()
        self.budget_keys = budget_keys(self.scope)  # shared with this user's and address's other sockets
        # Join before accepting: once the client sees the socket open, it is in the room.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        self.keeper = asyncio.create_task(renew_membership(self.channel_layer, self.group, self.channel_name))

    async def websocket_receive(self, event):
        """Called for every frame the client sends, text or binary."""
        if self.group is None:
            return  # a frame that raced the 4400 close of a bad room name
        try:
            # A flood gets errors, not broadcasts: from this socket (lesson 05), or spread
            # over many sockets of one user or address (lesson 16). No await in between,
            # so no other socket's frame slips in: a frame is counted everywhere or nowhere.
            budgets = shared_budgets()
            budgets.check(self.budget_keys)
            self.rate_limit.check()
            budgets.take(self.budget_keys)
            message = parse_message(event.get("text"))
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})
            return
        # The server writes the layer message; the client only supplies the text.
        # A client-chosen "type" would call any handler method of every consumer
        # in the room ("websocket.disconnect", say).
        await self.channel_layer.group_send(
            self.group, {"type": "chat.message", "message": message, "sender": self.sender}
        )

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message" to this socket's channel."""
        frame = {"message": event["message"], "sender": event["sender"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed (or its handshake refused), by either side."""
        await self.leave()
        raise StopConsumer()

    async def leave(self) -> None:
        """Stop renewing, then leave the room; once, however the consumer ends."""
        if self.keeper is not None:
            await stop(self.keeper)  # first, so that no renewal puts us back after we leave
            self.keeper = None
        if self.group is not None:
            group, self.group = self.group, None
            # Otherwise group_send keeps queueing messages for a channel nobody
            # reads until the layer's group_expiry. Redis may be the reason we
            # are ending: then the membership expires on its own.
            with contextlib.suppress(*LAYER_ERRORS):
                await self.channel_layer.group_discard(group, self.channel_name)
