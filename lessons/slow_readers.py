"""Lesson 16: a socket that never reads is closed with 4429 before it can fill the server's memory.

Daphne writes each `websocket.send` to the connection at once and never tells
the application that the client is not reading (django/daphne#170, open since
2018): a client that never reads grows the process by every message sent to
it, and keeps it until the socket closes. Twisted does know. When a
connection's outgoing buffer passes 64 KiB it pauses the connection's producer,
and it resumes it once everything has gone out. This protocol is that
producer. While paused it counts the messages it is handed and their bytes;
one past WEBSOCKET_UNREAD_LIMIT, or past WEBSOCKET_UNREAD_BYTES (a count alone
lets 1,000 frames of 1 MiB wait), it writes no more, closes with 4429 (too many
messages) and, since a client that never reads never answers the close either,
autobahn drops the connection after its close handshake timeout (1 s), which
frees the buffer. The consumer's `websocket.disconnect` says 4429.

uvicorn needs none of this: its `send` waits while the client is not reading,
so a consumer's messages wait in the channel layer, whose capacity bounds them.
"""

import logging

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from django.conf import settings

logger = logging.getLogger(__name__)
TOO_MANY_MESSAGES = 4429


class Backlog:
    """The connection's push producer: Twisted pauses it past 64 KiB unsent and resumes it when all is sent."""

    def __init__(self):
        self.paused = False
        self.unread = 0  # messages handed over since the buffer passed 64 KiB
        self.unread_bytes = 0  # and their payloads' bytes

    def pauseProducing(self):
        self.paused = True

    def resumeProducing(self):
        self.paused = False
        self.unread = self.unread_bytes = 0

    def stopProducing(self):
        pass


class UnreadLimitedWebSocketProtocol(WebSocketProtocol):
    """Daphne's WebSocket protocol, closing a socket whose client leaves too many messages unread."""

    closed_for_unread = False

    def onOpen(self):
        self.backlog = Backlog()
        # Until now the HTTP channel that read the handshake was the producer; it only ever
        # paused reading from the client, never the messages we write to it.
        self.transport.unregisterProducer()
        self.transport.registerProducer(self.backlog, True)
        super().onOpen()

    def sendMessage(self, payload, isBinary=False, *args, **kwargs):
        if self.closed_for_unread:
            return  # dropped: the client is past the limit and the connection is going
        if self.backlog.paused:
            self.backlog.unread += 1
            self.backlog.unread_bytes += len(payload)
            if (
                self.backlog.unread > settings.WEBSOCKET_UNREAD_LIMIT
                or self.backlog.unread_bytes > settings.WEBSOCKET_UNREAD_BYTES
            ):
                self.closed_for_unread = True
                logger.warning(
                    "closed a socket with more than %d unread messages or %d unread bytes (%d): %s",
                    settings.WEBSOCKET_UNREAD_LIMIT,
                    settings.WEBSOCKET_UNREAD_BYTES,
                    TOO_MANY_MESSAGES,
                    self.request.path,
                )
                self.sendClose(code=TOO_MANY_MESSAGES)
                return
        super().sendMessage(payload, isBinary, *args, **kwargs)

    def onClose(self, wasClean, code, reason):
        # Dropped after the close handshake timed out, the socket would end as 1006;
        # the consumer is told why it really ended.
        super().onClose(wasClean, TOO_MANY_MESSAGES if self.closed_for_unread else code, reason)


def limit_unread_messages() -> None:
    """Daphne builds every WebSocket connection with this protocol (a Twisted factory's `protocol`)."""
    WebSocketFactory.protocol = UnreadLimitedWebSocketProtocol
