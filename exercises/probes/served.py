"""A consumer run as a server runs it, with no communicator: the handshake queued, each send seen, or failing as
Daphne fails a send to a client that has gone (checks 12.3, 14.1)."""

import asyncio

SCOPE = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}


def served(application, send, scope: dict | None = None) -> asyncio.Task:
    """`application` serving a client whose handshake came (websocket.connect), each message it sends given to `send`;
    the task ends as the consumer does."""
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})
    return asyncio.create_task(application(dict(scope or SCOPE), events.get, send))


async def send_fails(message: dict) -> None:
    """A send to a client that has gone, as Daphne 4.2 (autobahn) fails it: the accept goes out, each frame raises."""
    from autobahn.exception import Disconnected

    if message["type"] == "websocket.send":
        raise Disconnected("Attempt to send on a closed protocol")
