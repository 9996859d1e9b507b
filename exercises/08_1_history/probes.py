"""A room's saved history, read by each socket as it connects (check 08.1).

The history is the newest five texts of the route's room, oldest first, read from the database for every
socket. These probes save rows whose texts sort backwards (so only the saving order is right), open a socket
to read the one frame it gets, and name the queries that read a whole room to send five texts.
"""

from datetime import timedelta

from db_demo.models import ChatMessage
from exercises.probes.communicators import close_all, connect
from exercises.probes.waits import frame, nothing_more


async def save(room: str, count: int, prefix: str = "m") -> list[str]:
    """`count` messages saved in `room`, in order; their texts sort backwards, so only the saving order is right."""
    texts = [f"{prefix}{count - n}" for n in range(count)]
    await ChatMessage.objects.abulk_create([ChatMessage(room=room, text=text) for text in texts])
    return texts


async def history_of(application, room: str) -> object:
    """The one frame a socket of `room` gets: it must send nothing after it, the history comes once, on connect."""
    communicator = await connect(application, f"/{room}/")
    got = await frame(communicator)
    assert await nothing_more(communicator, 0.05), f"after the history, ws/.../{room}/ must send nothing more"
    await close_all(communicator)
    return got


def whole_reads(ran: dict) -> list[str]:
    """The SELECTs of the messages' table, from any thread, without a LIMIT: each reads the whole room (or more)."""
    selects = [sql for sqls in ran.values() for sql in sqls if sql.lstrip().upper().startswith("SELECT")]
    return [sql for sql in selects if "db_demo_chatmessage" in sql and "LIMIT" not in sql.upper()]


async def saved_by_two_clocks(room: str, count: int) -> list[str]:
    """`count` (more than 5) messages saved in `room`: the first five in one instant, the rest by a server whose
    clock runs a second behind. Two rows can share a `created`, and clocks disagree: only the ids keep the order."""
    texts = await save(room, count)
    ids = [pk async for pk in ChatMessage.objects.filter(room=room).order_by("id").values_list("id", flat=True)]
    instant = (await ChatMessage.objects.aget(id=ids[0])).created
    await ChatMessage.objects.filter(id__in=ids[:5]).aupdate(created=instant)
    await ChatMessage.objects.filter(id__in=ids[5:]).aupdate(created=instant - timedelta(seconds=1))
    return texts
