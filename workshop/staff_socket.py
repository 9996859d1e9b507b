"""Lesson 17: the instructor's live view of the room (ws/workshop/room/), on a raw AsyncConsumer.

The page at GET /workshop/ holds this socket. The room goes out in pieces, never whole: sixty
students' statuses pass the 1 MiB Daphne sends in one frame (workshop/pieces.py). The events:

    websocket.connect    -> websocket.accept; not logged in: websocket.close 4401, logged in but
                            not staff: 4403 (lesson 07: the session cookie's user). Otherwise join
                            the newest workshop's staff group and send a view: {"view": {"workshop",
                            "messages", "active_minutes"}} (room.json's keys but "students"), then
                            {"piece": {"students": [...], "last": ...}} until "last" is true; then
                            start the refresh task
    (every 5 s)          -> the room read again, and only what changed sent: {"student": <entry>,
                            "refresh": true} or {"left": "<name>"}; a student who went quiet turns
                            offline on time, with no event to say so (presence is a time)
    (every 1 s)          -> one look at the newest workshop's row: after `workshop open` or
                            `workshop close` in another process, a new view at once
    room.student         -> websocket.send {"student": <entry>}: one student joined or changed
                            (group_send by workshop/join.py, workshop/student_socket.py, this socket)
    room.left            -> websocket.send {"left": "<name>"}: `workshop leave`, or removed here
    room.message         -> websocket.send {"message": {"id", "text", "sent"}}: a staff page sent one
    room.changed         -> a new view: `workshop close` said so (with Redis)
    websocket.receive    -> {"message": "<text>"}: saved (lesson 08), group_send to every student
                            socket (lesson 04), answered {"sent": <id>}; {"remove": "<name>"}:
                            the student deleted, answered {"removed": name}; {"clear": {"name",
                            "exercise"}}: that status deleted, answered {"cleared": ...}; anything
                            else: {"error": ...}, the socket stays open
    websocket.disconnect -> StopConsumer; __call__ (end()) stops the task and leaves the group

Each entry is room.json's, from workshop/room.py. Lesson 17, the workshop room, walks through it.
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
from workshop.frames import ClientError, staff_frame
from workshop.pieces import changes, pieces

logger = logging.getLogger(__name__)
NOT_AUTHENTICATED, FORBIDDEN, LAYER_UNAVAILABLE = 4401, 4403, 4503
NO_WORKSHOP = "no workshop to send to: open one with `python manage.py workshop open`"


@database_sync_to_async
def newest_room() -> tuple[tuple | None, dict, list[dict]]:
    """The newest workshop's (id, closed_at), room.json's body for it, and its newest messages."""
    state = room.newest_state()
    return state, room.room(), room.recent_messages(state[0] if state else None)


newest_state = database_sync_to_async(room.newest_state)


def as_drawn(entry: dict) -> str:
    """What the page draws of an entry: last_seen moves every few seconds and changes nothing drawn."""
    return json.dumps({key: value for key, value in entry.items() if key != "last_seen"})


class StaffConsumer(AsyncConsumer):
    """ws/workshop/room/: a view of the room in pieces on connect, then each change as it happens."""

    kind = "staff"  # in the log line of a socket the layer's failure closed
    REFRESH = 5.0  # seconds between two reads of the whole room (what changed is sent)
    # Seconds between two looks at the workshop's row. `workshop close` runs in another process:
    # with Redis its group_send arrives at once (lesson 06), but the in-memory layer that
    # `make workshop` uses by default cannot cross processes, so the row is read instead.
    LOOK = 1.0
    workshop_id: int | None = None
    seen: tuple | None = None  # the newest workshop's (id, closed_at) as last sent
    group: str | None = None
    refresher: asyncio.Task | None = None

    def __init__(self):
        self.drawn: dict[str, str] = {}  # name -> as_drawn() of the entry the page has
        # One sender at a time: a change must not land between the pieces of a view, nor a
        # refresh read before a change overwrite it after.
        self.sending = asyncio.Lock()

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
        await self.send_room(whole=True)
        self.refresher = asyncio.create_task(self.refresh())

    async def refresh(self):
        waited = 0.0
        while True:
            await asyncio.sleep(min(self.LOOK, self.REFRESH))
            waited += min(self.LOOK, self.REFRESH)
            if await newest_state() != self.seen:
                waited = 0.0
                await self.send_room(whole=True)
            elif waited >= self.REFRESH:
                waited = 0.0
                await self.send_room(whole=False)

    async def send_room(self, whole: bool) -> None:
        """A view of the room in pieces (whole), or only what changed since the page was last told."""
        async with self.sending:
            state, body, messages = await newest_room()
            whole = whole or state != self.seen  # `workshop open` or `close` since the last look: a new view
            self.seen = state
            workshop_id = state[0] if state else None
            if workshop_id != self.workshop_id:  # the first time, or after `workshop open`
                await self.leave()
                self.workshop_id, self.group = workshop_id, room.staff_group(workshop_id) if workshop_id else None
                if self.group is not None:
                    await self.channel_layer.group_add(self.group, self.channel_name)
            if whole:
                # room.json but its students (which follow in pieces), the newest messages, what "active" means.
                view = {key: value for key, value in body.items() if key != "students"}
                view |= {"messages": messages, "active_minutes": room.ACTIVE_MINUTES}
                await self.send_text({"view": view})
                for text in pieces(body["students"]):
                    await self.send({"type": "websocket.send", "text": text})
                self.drawn = {entry["name"]: as_drawn(entry) for entry in body["students"]}
                return
            names = {entry["name"] for entry in body["students"]}
            for name in [name for name in self.drawn if name not in names]:  # gone, and the page was not told
                await self.send_left(name)
            for entry in body["students"]:
                await self.send_entry(entry, refresh=True)

    async def send_entry(self, entry: dict, **extra) -> None:
        if self.drawn.get(entry["name"]) != (drawn := as_drawn(entry)):
            self.drawn[entry["name"]] = drawn
            for text in changes(entry, **extra):  # {"refresh": true}: the layer did not tell it (bench/ counts them)
                await self.send({"type": "websocket.send", "text": text})

    async def send_left(self, name: str) -> None:
        self.drawn.pop(name, None)
        await self.send_text({"left": name})

    async def send_text(self, frame: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def room_student(self, event):
        """Called when a student's socket saved a change (room.student)."""
        async with self.sending:
            await self.send_entry(event["student"])

    async def room_left(self, event):
        """Called when a student ran `workshop leave` or a staff page removed them (room.left): the page takes them off."""
        async with self.sending:
            await self.send_left(event["name"])

    async def room_message(self, event):
        """Called when a staff page sent the students a message (room.message): every staff page lists it."""
        await self.send_text({"message": event["message"]})

    async def room_changed(self, event):
        """Called when `workshop close` told the room (room.changed): a new view."""
        await self.send_room(whole=True)

    async def websocket_receive(self, event):
        """Called for every frame the page sends: a message for every student, a student removed, a status cleared."""
        if self.refresher is None:
            return  # a frame that raced the 4401/4403 close
        try:
            kind, value = staff_frame(event.get("text"))
            answer = await getattr(self, f"do_{kind}")(value)
        except ClientError as error:
            answer = {"error": str(error)}
        await self.send_text(answer)

    async def do_message(self, text: str) -> dict:
        saved = await room.save_message(text)  # saved first: a student who reconnects asks for it by id
        if saved is None:
            raise ClientError(NO_WORKSHOP)
        workshop_id, message = saved
        await self.channel_layer.group_send(
            room.students_group(workshop_id), {"type": "workshop.message", "message": message}
        )
        await self.tell_staff({"type": "room.message", "message": message})
        return {"sent": message["id"]}

    async def do_remove(self, name: str) -> dict:
        if not await room.remove_named(name):  # room.remove() tells every staff page {"left": name}
            raise ClientError(f"no student named {name!r} in this workshop")
        return {"removed": name}

    async def do_clear(self, clear: dict) -> dict:
        entry = await room.clear_status(clear["name"], clear["exercise"])
        if entry is None:
            raise ClientError(f"{clear['name']!r} has no status for {clear['exercise']} in this workshop")
        await self.tell_staff({"type": "room.student", "student": entry})
        return {"cleared": clear}

    async def tell_staff(self, event: dict) -> None:
        # Saved already: a staff page the layer does not reach sees it at its next refresh.
        if self.group is not None:
            with contextlib.suppress(RedisError):
                await self.channel_layer.group_send(self.group, event)

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
