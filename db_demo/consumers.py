"""Lesson 08: the chat of lesson 04 with memory, on a raw AsyncConsumer.

The events, in the order they happen:
    websocket.connect    -> check the room name (bad: accept, close 4400); join the
                            room's group; websocket.accept; send {"history": [...]}
    websocket.receive    -> flood checks (this socket's, and its user's and address's
                            budgets: lesson 16), parse the frame; save it (a worker thread);
                            group_send chat.message. Bad input or a flood:
                            {"error": ...} to the sender only, nothing saved
    chat.message         -> websocket.send the saved message to this socket
    websocket.disconnect -> leave the group; StopConsumer (the group is also left if the
                            consumer ends without this event: see __call__)

The ORM is synchronous: every query runs in a worker thread through
database_sync_to_async (db_demo/history.py). Lesson: lessons/08-database.md.
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.flood import chat_rate_limit
from db_demo.flood_budgets import shared_budgets
from db_demo.history import recent_messages, save_message
from db_demo.validation import BAD_ROOM, ClientError, is_valid_room, parse_message
from lessons.clients import budget_keys


class RoomHistoryConsumer(AsyncConsumer):
    """ws/db/room/<room>/: lesson 04's chat, with the room's saved history first."""

    group: str | None = None

    async def websocket_connect(self, event):
        """Called when a client opens ws/db/room/<room>/."""
        self.room = self.scope["url_route"]["kwargs"]["room"]
        if not is_valid_room(self.room):
            # Accept, then close with 4400, as lesson 04's chat does: a refused
            # handshake shows a browser only 1006, a close code says why.
            await self.send({"type": "websocket.accept"})
            await self.send({"type": "websocket.close", "code": 4400, "reason": BAD_ROOM})
            return
        self.group = f"db-room-{self.room}"
        self.sender = self.sender_name()
        self.rate_limit = chat_rate_limit()
        self.budget_keys = budget_keys(self.scope)  # shared with this user's and address's other sockets
        # Join before reading history: a message saved in between then shows up
        # twice (same id), never zero times.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        # database_sync_to_async as a call: wrap a plain sync function, then await it.
        history = await database_sync_to_async(recent_messages)(self.room)
        await self.send({"type": "websocket.send", "text": json.dumps({"history": history})})

    async def websocket_receive(self, event):
        """Called for every frame the client sends."""
        try:
            # A flood gets errors, not rows in the database: from this socket, or spread over
            # many sockets of one user or address (lesson 16). Counted everywhere or nowhere.
            budgets = shared_budgets()
            budgets.check(self.budget_keys)
            self.rate_limit.check()
            budgets.take(self.budget_keys)
            text = parse_message(event.get("text"))
        except ClientError as error:
            # To the sender alone, nothing saved, and the socket stays open.
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})
            return
        # Saved first, then broadcast: whoever receives the message can already
        # find it in the database (its id proves it).
        message = await save_message(self.room, text, self.sender)
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "frame": message})

    async def chat_message(self, event):
        """Called when the room's group delivers a saved message (chat.message)."""
        await self.send({"type": "websocket.send", "text": json.dumps(event["frame"])})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed, whoever closed it."""
        await self.leave()
        raise StopConsumer()

    async def __call__(self, scope, receive, send):
        """Called once per socket; AsyncConsumer's loop feeds every event to the handlers above."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A send to a socket that is closing raises, and then no
            # websocket.disconnect comes (django/channels#1466, lesson 05).
            await self.leave()

    async def leave(self) -> None:
        """Leave the room's group, once, however the consumer ends."""
        if self.group is not None:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)

    def sender_name(self) -> str:
        # AuthMiddleware loaded the user (in a thread) before connect, so these
        # attributes need no query. Anything that does query (user.groups,
        # a related profile) would raise SynchronousOnlyOperation here.
        user = self.scope["user"]
        return user.username if user.is_authenticated else f"guest-{uuid.uuid4().hex[:6]}"
