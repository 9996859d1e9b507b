"""The inspector's cost (course/inspector.py): off, on, and on with a page watching.

Two Daphnes serve the course side by side: one with INSPECTOR=0 (nothing is
wrapped: production's stack), one with INSPECTOR=1 (the development default).
Three configurations get the same work, in alternating blocks so that any
drift of the machine hits all alike:

    off                    INSPECTOR=0, plain sockets
    on, not inspected      INSPECTOR=1, sockets without ?inspect= (another page, a script)
    on, inspected          INSPECTOR=1, every socket carries ?inspect=<page> and one
                           inspector socket streams the page its events

The work: the lesson 02 async echo (clients sending frames one after the other)
and the lesson 04 chat (broadcasts to a room). The figure is the server's CPU
time per message or per delivery; each ratio against "off" is the median over
neighbouring blocks.
"""

import asyncio
import json
import secrets
import statistics
import sys
import uuid

from bench.common.clients import close_sockets, open_socket, open_sockets
from bench.common.processes import Server, daphne_env, failure, free_port
from bench.speed.fanout import CHAT_PATH, broadcasts
from harness.patience import SERVER_START

CONFIGS = ("off", "on, not inspected", "on, inspected")
ECHO_PATH = "ws/async/echo/"


def start(inspector: bool) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "lessons.asgi:application"]
    env = {**daphne_env(None), "INSPECTOR": "1" if inspector else "0"}
    return Server(f"daphne, inspector {'on' if inspector else 'off'}", argv, env, port, timeout=SERVER_START)


def tagged(url: str, page: str | None) -> str:
    return url if page is None else f"{url}{'&' if '?' in url else '?'}inspect={page}"


async def drain(panel) -> None:
    """Read the inspector socket's batches as a page would, until it closes."""
    async for _ in panel:
        pass


async def echo_block(sockets: list, frames: int) -> int:
    async def client(ws, number):
        for seq in range(frames):
            await ws.send(json.dumps({"client": number, "seq": seq}))
            await ws.recv()

    await asyncio.gather(*(client(ws, i) for i, ws in enumerate(sockets)))
    return len(sockets) * frames


async def measure(servers: dict, clients: int, frames: int, room_size: int, rounds: int, blocks: int) -> dict:
    page = secrets.token_urlsafe(16)
    pages = {"off": None, "on, not inspected": None, "on, inspected": page}
    opened, panel = {}, await open_socket(servers["on, inspected"].ws_url(f"ws/inspector/{page}/"))
    draining = asyncio.create_task(drain(panel))
    cpu = {config: {"echo": [], "chat": []} for config in CONFIGS}
    try:
        for config in CONFIGS:
            server, room = servers[config], f"inspector{uuid.uuid4().hex[:8]}"  # a room per configuration
            opened[config] = (
                await open_sockets([tagged(server.ws_url(ECHO_PATH), pages[config])] * clients),
                await open_sockets([tagged(server.ws_url(CHAT_PATH.format(room=room)), pages[config])] * room_size),
            )
            await echo_block(opened[config][0], 5)
            await broadcasts(opened[config][1], 2, f"warmup-{uuid.uuid4().hex[:6]}")
        for block in range(blocks):
            # Each block starts with the next configuration, so none always runs first.
            for config in CONFIGS[block % 3 :] + CONFIGS[: block % 3]:
                server, (echoes, chat) = servers[config], opened[config]
                before = server.cpu_seconds()
                messages = await echo_block(echoes, frames)
                cpu[config]["echo"].append((server.cpu_seconds() - before) / messages)
                before = server.cpu_seconds()
                await broadcasts(chat, rounds, f"b{block}-{uuid.uuid4().hex[:6]}", first=block * rounds)
                cpu[config]["chat"].append((server.cpu_seconds() - before) / (rounds * room_size))
    finally:
        for echoes, chat in opened.values():
            await close_sockets(echoes + chat)
        await panel.close()
        draining.cancel()
    rows = []
    for config in CONFIGS:
        row = {"config": config}
        for work in ("echo", "chat"):
            row[f"{work}_cpu_us"] = round(statistics.median(cpu[config][work]) * 1e6, 1)
            pairs = [mine / off for mine, off in zip(cpu[config][work], cpu["off"][work], strict=True)]
            row[f"{work}_ratio"] = round(statistics.median(pairs), 3)
        rows.append(row)
    return {"clients": clients, "frames": frames, "room_size": room_size, "blocks": blocks, "rows": rows}


def run(quick: bool = False) -> dict:
    """Start both servers, measure, stop them; a failure becomes the section's status."""
    servers = {}
    try:
        off, on = start(inspector=False), start(inspector=True)
        servers = {"off": off, "on, not inspected": on, "on, inspected": on}
        loads = dict(clients=10, frames=20, room_size=20, rounds=5, blocks=3) if quick else {}
        loads = loads or dict(clients=20, frames=50, room_size=50, rounds=10, blocks=5)
        return {"status": "ok", **asyncio.run(measure(servers, **loads))}
    except Exception as error:
        return {"status": failure(error), "rows": []}
    finally:
        for server in set(servers.values()):
            server.stop()
