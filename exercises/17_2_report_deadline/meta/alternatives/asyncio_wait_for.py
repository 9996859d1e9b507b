"""Alternative 17.2, asyncio: websockets' asyncio client, each step in asyncio.wait_for() with what is left of one deadline."""

import asyncio
import json

from websockets.asyncio.client import connect

BUDGET = 1.0  # seconds for the whole report


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    try:
        asyncio.run(converse(url, token, payload))
    except Exception as error:  # the student's own work must never fail because of the room
        why = f"the report did not arrive ({type(error).__name__}: {error})"
        if token:
            why = why.replace(token, "***")
        return " ".join(why.split())[:200]
    return None


async def converse(url: str, token: str, payload: dict) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUDGET  # loop.time() is the monotonic clock

    def left() -> float:
        return max(deadline - loop.time(), 0.001)

    socket = await asyncio.wait_for(connect(url, open_timeout=None, close_timeout=0.1, proxy=None), left())
    try:
        for frame, key in (({"token": token}, "joined"), (payload, "ok")):
            await socket.send(json.dumps(frame))
            answer = json.loads(await asyncio.wait_for(socket.recv(), left()))
            if not isinstance(answer, dict) or key not in answer:
                raise ValueError(f"the room answered {answer!r}, not {{{key!r}: ...}}")
    finally:
        await socket.close()  # close_timeout bounds it: a moment past the deadline at most
