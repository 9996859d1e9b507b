"""Lesson 17: a student's laptop in the workshop room (ws/workshop/student/), on a raw AsyncConsumer.

The capstone puts earlier lessons together; each part says which. The events, in order:

    websocket.connect    -> websocket.accept; a 10 s deadline for the token (lesson 11)
    websocket.receive    -> the first frame must be {"token": ..., "since": N (optional)}: over
                            the address's budget -> websocket.close 4429; not a token of a
                            student of the newest, open workshop -> websocket.close 4401 (it
                            ended with `leave`; with `workshop close`, {"error": "the workshop
                            has ended"} first). Otherwise join
                            the students' group, then websocket.send {"joined": name,
                            "last_message": id} and, with `since`, each message after it, oldest
                            first (lesson 12: join the group before reading the backlog); `since`
                            also says the laptop printed every message up to it: saved as seen
    websocket.receive    -> every later frame: the student's and the address's limits (16), presence,
                            then a report, doctor, help, share or seen frame is saved (lesson 08),
                            sent to the staff group and answered {"ok": <kind>}; {"here": true} is
                            not answered; anything else gets {"error": ...} and the socket stays open.
                            After 100 frames over the limit: websocket.close 4429. A frame refused for
                            the address's budget holds the address's next frame until a token is due
    workshop.message     -> websocket.send {"instructor": {"id", "text", "sent"}}, unless the
                            replay already sent that one (group_send by workshop/staff_socket.py)
    websocket.disconnect -> cancel the deadline; StopConsumer; __call__ (end()) leaves the group

Who the student is comes from the token alone, never from a frame: no frame can
write another student's rows. Lesson 17, the workshop room, walks through it.
"""

import asyncio
import contextlib
import json
import logging

from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

from workshop import limits
from workshop.frames import WORKSHOP_ENDED, ClientError, first_frame, student_frame
from workshop.room import arrival, has_ended, record, staff_group, students_group, touch
from workshop.tokens import claim_in

logger = logging.getLogger(__name__)
NOT_AUTHENTICATED, TOO_MANY, LAYER_UNAVAILABLE = 4401, 4429, 4503
SLOW_DOWN = "too many frames: slow down"


class StudentConsumer(AsyncConsumer):
    """ws/workshop/student/: one student's reports in, the instructor's messages out."""

    kind = "student"  # in the log line of a socket the layer's failure closed

    FIRST_FRAME_TIMEOUT = 10.0  # seconds a silent client may hold a socket that has sent no token
    student = None  # set by a valid token
    group: str | None = None
    deadline: asyncio.Task | None = None
    close_code: int | None = None  # set once this socket has been closed
    address: str | None = None  # the client's, as its budgets count it (None: the server named none)
    address_bucket: limits.TokenBucket | None = None  # its client address's (None: the server named none)
    refused = 0  # frames this socket sent over the student's or the address's rate limit
    held = 0.0  # seconds its address's turn is held after this frame: refused for the address's budget

    def __init__(self):
        self.replayed: set[int] = set()  # ids of the messages the replay sent, which the group may bring again

    async def dispatch(self, message):
        """Called for every event: AsyncConsumer.dispatch without its `await aclose_old_connections()`.

        That hop queues on Django's one sync thread before every event (lesson 02, django/channels#2132):
        a flood's refused frames, each a hop, kept every other student's events waiting behind them.
        This socket reaches the database only through database_sync_to_async (workshop/room.py), which
        closes old connections itself, in that thread, around each call: the hop did nothing for it.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, event):
        """Called when a laptop opens the socket: accept, and wait for its token."""
        self.address = limits.address_of(self.scope)
        await self.send({"type": "websocket.accept"})
        self.deadline = asyncio.create_task(self.close_when_silent())

    async def close_when_silent(self):
        await asyncio.sleep(self.FIRST_FRAME_TIMEOUT)
        await self.close(NOT_AUTHENTICATED)

    async def websocket_receive(self, event):
        """Called for every frame: the first must carry the token, later ones are the student's news."""
        if self.close_code is not None:
            # A frame that was on its way when we closed: it is not read, and the answer stays the close.
            await self.close(self.close_code)
            return
        async with limits.turn(self.address):  # one address's frames take turns (workshop/limits.py)
            if self.student is None:
                await self.log_in(event.get("text"))
            else:
                await self.take(event.get("text"))
            # Refused for its address's budget, the address keeps its turn until its bucket holds a token
            # again: a flood from thirty sockets is answered at its budget's pace, not the server's, and
            # every other student's report goes in between (workshop/limits.py).
            held, self.held = self.held, 0.0
            await limits.pause(held)

    async def log_in(self, text: str | None) -> None:
        self.deadline.cancel()
        self.address_bucket = limits.address_bucket_for(self.address)
        if not limits.take(self.address_bucket):  # a token is a database read: its address pays for it
            self.held = limits.until_one(self.address_bucket)
            await self.close(TOO_MANY)
            return
        token, since = first_frame(text) or (None, None)
        claim = claim_in(token)  # signed by this site, or nothing: no database yet
        if claim is None:
            await self.close(NOT_AUTHENTICATED)  # one answer for every failure: a probe learns nothing
            return
        # Join first, then read: a message saved in between arrives twice, and the second is
        # dropped in workshop_message. Read first, and it would arrive zero times (lesson 12).
        self.group = students_group(claim[1])  # the workshop the token names
        await self.channel_layer.group_add(self.group, self.channel_name)
        arrived = await arrival(token, since)  # one trip to the database: an older or closed workshop's is refused
        if arrived is None:  # a token this site signed: its holder may learn that its workshop is over
            if await has_ended(claim[1]):
                await self.send({"type": "websocket.send", "text": json.dumps({"error": WORKSHOP_ENDED})})
            await self.close(NOT_AUTHENTICATED)  # end() takes the socket out of the group again
            return
        self.student, last_message, backlog = arrived
        self.bucket = limits.bucket_for(self.student.pk)
        joined = {"joined": self.student.name, "last_message": last_message}
        await self.send({"type": "websocket.send", "text": json.dumps(joined)})
        for message in backlog:
            self.replayed.add(message["id"])
            await self.send({"type": "websocket.send", "text": json.dumps({"instructor": message})})
        # `since` is also a receipt: the laptop printed every message up to it ("seen by 12 of 30").
        if since and since > self.student.message_seen and (entry := await record(self.student.pk, "seen", since)):
            await self.tell_staff({"type": "room.student", "student": entry})
        await self.seen()

    async def take(self, text: str | None) -> None:
        await self.seen()  # any frame, even one refused, says the laptop is awake
        try:
            answer = await self.answer(text)
        except ClientError as error:
            answer = {"error": str(error)}  # to this socket alone; it stays open
        if answer is not None:
            await self.send({"type": "websocket.send", "text": json.dumps(answer)})
        if self.refused >= limits.REFUSED_BEFORE_CLOSE:
            await self.close(TOO_MANY)

    async def answer(self, text: str | None) -> dict | None:
        """Save what a frame says and return the answer to send; ClientError for a frame refused."""
        if not limits.take(self.bucket, self.address_bucket):  # the student's, and their address's
            self.refused += 1
            self.held = limits.until_one(self.address_bucket)  # 0 when the student's own bucket said no
            raise ClientError(SLOW_DOWN)
        kind, value = student_frame(text)
        if kind == "here":
            return None  # the watch's heartbeat: presence is all it carries
        entry = await record(self.student.pk, kind, value)  # saved before anyone is told
        if entry is None:  # the student was deleted: the token names no one any more
            await self.close(NOT_AUTHENTICATED)
            return None
        await self.tell_staff({"type": "room.student", "student": entry})
        return {"ok": kind}

    async def seen(self) -> None:
        """Move this student's last_seen (at most every few seconds); tell the staff if they were away."""
        if limits.presence_due(self.student.pk) and (entry := await touch(self.student.pk)) is not None:
            await self.tell_staff({"type": "room.student", "student": entry})

    async def tell_staff(self, event: dict) -> None:
        # The database already holds the change: if the layer fails, the staff page still
        # sees it at its next refresh (every 5 s), so the student is told "ok" either way.
        try:
            await self.channel_layer.group_send(staff_group(self.student.workshop_id), event)
        except RedisError as error:
            logger.warning("workshop: a student's change reached the database but not the layer: %r", error)

    async def workshop_message(self, event):
        """Called when the instructor sends the room a message (workshop.message)."""
        message = event["message"]
        if message["id"] in self.replayed:
            self.replayed.discard(message["id"])  # the replay sent it already
            return
        await self.send({"type": "websocket.send", "text": json.dumps({"instructor": message})})

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
        """Let go of what this socket holds: the first frame's deadline, its place in the group."""
        if self.deadline is not None:
            self.deadline.cancel()
        if self.group is not None:
            with contextlib.suppress(RedisError):
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def close(self, code: int) -> None:
        self.close_code = code
        await self.send({"type": "websocket.close", "code": code})
