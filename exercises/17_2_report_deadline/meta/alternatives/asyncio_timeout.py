"""Alternative 17.2, asyncio: websockets' asyncio client, the whole conversation inside one asyncio.timeout(BUDGET)."""

import asyncio
import json

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

BUDGET = 1.0  # seconds for the whole report


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    try:
        asyncio.run(converse(url, token, payload))
    except (OSError, TimeoutError, WebSocketException, ValueError, RecursionError) as error:
        why = f"the report did not arrive ({type(error).__name__}: {error})"
        return " ".join((why.replace(token, "<your token>") if token else why).split())[:200]
    return None


async def converse(url: str, token: str, payload: dict) -> None:
    """Token, joined, payload, ok: all of it, the handshake and the close too, inside one deadline."""
    async with asyncio.timeout(BUDGET):  # the deadline is set here, before connect, once
        async with connect(url, open_timeout=None, close_timeout=0.1, proxy=None) as socket:
            await socket.send(json.dumps({"token": token}))
            await expect(socket, "joined")
            await socket.send(json.dumps(payload))
            await expect(socket, "ok")


async def expect(socket, key: str) -> dict:
    answer = json.loads(await socket.recv())
    if not isinstance(answer, dict) or key not in answer:
        raise ValueError(f"expected {{{key!r}: ...}}, got {answer!r}")
    return answer
