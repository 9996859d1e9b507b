"""The reference echo server: the same echo as lesson 01, written directly on `websockets`.

No Django, no Channels, no Daphne: one coroutine per socket sends every frame
back. The benchmark runs it side by side with the lesson routes, so the ratio
between them is what the rest of the stack (Daphne, the ASGI router, the origin
check, sessions, the consumer) costs per message.

    python bench/common/reference_echo.py PORT
"""

import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(websocket):
    """Called once per connection: send every text or binary frame back unchanged, in order."""
    async for frame in websocket:
        await websocket.send(frame)


async def main(port: int) -> None:
    # Daphne offers no permessage-deflate, so the reference must not compress either.
    async with serve(echo, "127.0.0.1", port, compression=None, ping_interval=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
