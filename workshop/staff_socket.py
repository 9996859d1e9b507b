"""Lesson 17: the instructor's live view of the room (ws/workshop/room/), on a raw AsyncConsumer.

The page at GET /workshop/ holds this socket. The events, in order:

    websocket.connect    -> websocket.accept; not logged in: websocket.close 4401, logged in but
                            not staff: 4403 (lesson 07: the session cookie's user). Otherwise
                            join the newest workshop's staff group, websocket.send {"room": ...}
                            and start the refresh task
    (every 5 s)          -> websocket.send {"room": ...} again: a student who went quiet turns
                            offline on time, with no event to say so (presence is a time);
    (every 1 s)          -> one look at the newest workshop's row: after `workshop open` or
                            `workshop close` in another process, {"room": ...} at once
    room.student         -> websocket.send {"student": <entry>}: one student joined or changed
                            (group_send by workshop/join.py and workshop/student_socket.py)
    room.left            -> websocket.send {"left": "<name>"}: `workshop leave` (workshop/leave.py)
    room.changed         -> websocket.send {"room": ...}: `workshop close` said so (with Redis)
    websocket.receive    -> {"message": "<text>"}: saved (lesson 08), group_send to every student
                            socket as workshop.message (lesson 04), answered {"sent": <id>};
                            anything else: {"error": ...}, the socket stays open
    websocket.disconnect -> StopConsumer; __call__ (end()) stops the task and leaves the group

{"room": ...} is GET /workshop/room.json's body and {"student": ...} one of its
entries: both come from workshop/room.py. Lesson 17, the workshop room, walks through it.
"""

import asyncio
import contextlib
import json
import logging

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

from workshop import room
from workshop.frames import ClientError, staff_message

logger = logging.getLogger(__name__)
NOT_AUTHENTICATED, FORBIDDEN, LAYER_UNAVAILABLE = 4401, 4403, 4503
NO_WORKSHOP = "no workshop to send to: open one with `python manage.py workshop open`"


@database_sync_to_async
def newest_room() -> tuple[tuple | None, dict]:
    """The newest workshop's (id, closed_at), and room.json's body for it."""
    return room.newest_state(), room.room()


newest_state = database_sync_to_async(room.newest_state)


class StaffConsumer(AsyncConsumer):
    """ws/workshop/room/: the whole room on connect and every 5 s, each student's change as it happens."""

    kind = "staff"  # in the log line of a socket the layer's failure closed
    REFRESH = 5.0  # seconds between two {"room": ...} frames
    # Seconds between two looks at the workshop's row. `workshop close` runs in another process:
    # with Redis its group_send arrives at once (lesson 06), but the in-memory layer that
    # `make workshop` uses by default cannot cross processes, so the row is read instead.
    LOOK = 1.0
    workshop_id: int | None = None
    seen: tuple | None = None  # the newest workshop's (id, closed_at) as last sent
    group: str | None = None
    refresher: asyncio.Task | None = None

    async def websocket_connect(self, event):
        """Called when the instructor's page opens the socket, with the session cookie's user in the scope."""
        await self.send({"type": "websocket.accept"})
        # Accept, then close with a code: a refused handshake tells the page only 1006.
        user = self.scope["user"]
        if not user.is_authenticated or not user.is_staff:
            await self.send(
                {"type": "websocket.close", "code": FORBIDDEN if user.is_authenticated else NOT_AUTHENTICATED}
            )
            return
        await self.send_room()
        self.refresher = asyncio.create_task(self.refresh())

    async def refresh(self):
        waited = 0.0
        while True:
            await asyncio.sleep(min(self.LOOK, self.REFRESH))
            waited += min(self.LOOK, self.REFRESH)
            if waited >= self.REFRESH or await newest_state() != self.seen:
                waited = 0.0
                await self.send_room()

    async def send_room(self) -> None:
        self.seen, body = await newest_room()
        workshop_id = self.seen[0] if self.seen else None
        if workshop_id != self.workshop_id:  # the first time, or after `workshop open`
            await self.leave()
            self.workshop_id, self.group = workshop_id, room.staff_group(workshop_id) if workshop_id else None
            if self.group is not None:
                await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.send", "text": json.dumps({"room": body})})

    async def room_student(self, event):
        """Called when a student's socket saved a change (room.student)."""
        await self.send({"type": "websocket.send", "text": json.dumps({"student": event["student"]})})

    async def room_left(self, event):
        """Called when a student ran `workshop leave` (room.left): the page takes them off."""
        await self.send({"type": "websocket.send", "text": json.dumps({"left": event["name"]})})

    async def room_changed(self, event):
        """Called when `workshop close` told the room (room.changed): the whole room again."""
        await self.send_room()

    async def websocket_receive(self, event):
        """Called for every frame the page sends: a message for every student."""
        if self.refresher is None:
            return  # a frame that raced the 4401/4403 close
        try:
            text = staff_message(event.get("text"))
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})
            return
        saved = await room.save_message(text)  # saved first: a student who reconnects asks for it by id
        if saved is None:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": NO_WORKSHOP})})
            return
        workshop_id, message = saved
        await self.channel_layer.group_send(
            room.students_group(workshop_id), {"type": "workshop.message", "message": message}
        )
        await self.send({"type": "websocket.send", "text": json.dumps({"sent": message["id"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed, whoever closed it."""
        raise StopConsumer()

    async def __call__(self, scope, receive, send):
        """Called once per socket; AsyncConsumer's loop feeds every event to the handlers above.

        Kept line for line with the other workshop socket's (tests/course/test_twins.py).
        """
        try:
            await super().__call__(scope, receive, send)
        except RedisError as error:  # the layer gave up on Redis: not a crash (1011); the client comes back
            logger.warning("workshop %s socket closed with %s: %r", self.kind, LAYER_UNAVAILABLE, error)
            await send({"type": "websocket.close", "code": LAYER_UNAVAILABLE})
        finally:
            # Here, not in websocket_disconnect, which may never come (django/channels#1466).
            await self.end()

    async def end(self) -> None:
        """Let go of what this socket holds: the refresh task, its place in the group."""
        if self.refresher is not None:
            self.refresher.cancel()
        await self.leave()

    async def leave(self) -> None:
        if self.group is not None:
            group, self.group = self.group, None
            with contextlib.suppress(RedisError):
                await self.channel_layer.group_discard(group, self.channel_name)
