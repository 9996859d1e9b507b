"""The room's doors in the application (lesson 17), where no nginx stands in front: what lesson 13's nginx does.

deploy/nginx.conf gives production three doors Daphne has not: a cap on one
address's connections, a deadline for a request's headers, and a cap on its
body. Served alone on a room's network (no nginx installed: workshop/serve.py
says so), Daphne kept none of them: 1,100 half-sent requests from one laptop
used up a desktop's 1,024 open files and every other report failed, and three
150 MiB POSTs to the 4 KiB join door grew the room from 101 to 406 MB, kept.
So `make workshop` serves Daphne through these, with nginx's numbers:

    PerAddress   at most CONNECTIONS_PER_ADDRESS open connections from one address (an IPv6 /64),
                 and at most `total` in all (below the open-file limit): beyond, closed at once
    RoomChannel  a request's headers within HEADER_TIMEOUT of its first byte, else 408 and closed
                 (an idle keep-alive connection: closed); a body of at most MAX_BODY (413 before it is
                 read when Content-Length says more, as soon as a chunked one passes it), and never a
                 pause of BODY_TIMEOUT between two of its reads (408)
    RoomServer   Daphne's Server, listening through both (RoomCommandLine: Daphne's command line),
                 its WebSockets with a BoundedInbox

A WebSocket is an HTTP request until its upgrade: its headers meet the same
deadline, and its connection counts for its address as long as it is open.

And one door nginx cannot keep, behind it or not: Daphne puts every frame a socket
receives in the consumer's queue and reads on, with no bound (a flooder that never
waits for its answers filled it faster than the consumer, taking its turns,
emptied it). BoundedInbox stops reading a socket while INBOX_FRAMES of its frames,
or INBOX_BYTES, wait for its consumer, and reads on once they are handled: TCP's
own backpressure, so the sender's writes wait in its kernel, not in the room's
memory, and no frame is refused for it.
"""

import collections

from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.protocols.policies import WrappingFactory
from twisted.web import http

from workshop.join import address_of
from workshop.limits import UNCOUNTED

CONNECTIONS_PER_ADDRESS = 100  # nginx's limit_conn perip 100: a classroom behind one NAT, a few dozen
HEADER_TIMEOUT = 10.0  # seconds: nginx's client_header_timeout 10s
BODY_TIMEOUT = 10.0  # seconds between two reads of a body: nginx's client_body_timeout 10s
MAX_BODY = 1024 * 1024  # bytes: nginx's client_max_body_size 1m (the join door itself reads 4 KiB)
# Frames of one socket waiting for its consumer before its reading stops: `exercise` waits for each answer
# (one waits at most), a watch sends a heartbeat every 20 s. Or their bytes: a share is at most 400 KB as JSON.
INBOX_FRAMES = 8
INBOX_BYTES = 512 * 1024


class RoomChannel(http.HTTPChannel):
    """Twisted's HTTP/1.1 channel, with a deadline for every request's headers and a cap on its body."""

    deadline = None  # the pending call that ends a request too slow to arrive
    heard = False  # whether a byte of the awaited request has come
    body_read = 0  # bytes of the current body so far

    def connectionMade(self):
        super().connectionMade()
        self.await_headers()

    def await_headers(self) -> None:
        """Called when a request may begin: its headers must all arrive within HEADER_TIMEOUT."""
        self.heard, self.body_read = False, 0
        self.set_deadline(HEADER_TIMEOUT)

    def set_deadline(self, seconds: float | None) -> None:
        if self.deadline is not None and self.deadline.active():
            self.deadline.cancel()
        self.deadline = None if seconds is None else self.callLater(seconds, self.too_slow)

    def too_slow(self) -> None:
        """The deadline passed: 408 to a request begun, silence to an idle connection; closed either way."""
        self.deadline = None
        if self.transport is None:  # upgraded to a WebSocket meanwhile: no longer ours
            return
        if self.heard:
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.transport.loseConnection()

    def dataReceived(self, data):
        self.heard = True
        super().dataReceived(data)

    def allHeadersReceived(self):
        self.set_deadline(None)
        if self.length is not None and self.length > MAX_BODY:  # refused before a byte of it is read
            self.refuse_body()
            return
        super().allHeadersReceived()
        if self.length != 0:
            self.set_deadline(BODY_TIMEOUT)

    def rawDataReceived(self, data):
        if not self._handlingRequest:  # a body arriving (not the next request, buffered while this one runs)
            self.body_read += len(data)
            if self.body_read > MAX_BODY:  # a chunked body: counted as it comes
                self.refuse_body()
                return
            self.set_deadline(BODY_TIMEOUT)
        super().rawDataReceived(data)

    def allContentReceived(self):
        self.set_deadline(None)
        super().allContentReceived()

    def refuse_body(self) -> None:
        self.set_deadline(None)
        self.transport.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.transport.loseConnection()
        self.dataReceived = lambda data: None  # whatever else it sends is not read

    def requestDone(self, request):
        if self.persistent:  # before: the next request, if already buffered, is read inside requestDone
            self.await_headers()
        super().requestDone(request)

    def connectionLost(self, reason):
        self.set_deadline(None)
        super().connectionLost(reason)


class PerAddress(WrappingFactory):
    """Daphne's HTTP factory, counting open connections per client address; beyond a limit, none is built."""

    def __init__(self, wrapped, total: int, per_address: int = CONNECTIONS_PER_ADDRESS):
        super().__init__(wrapped)
        self.total, self.per_address = total, per_address
        self.open: dict[str, int] = {}  # address (IPv6: its /64) -> connections open now

    def buildProtocol(self, addr):
        host = getattr(addr, "host", "")
        address = address_of(host)
        # This machine itself is not counted, as deploy/nginx.conf's map leaves 127.0.0.1 and ::1 out.
        per_address = self.total if host in UNCOUNTED else self.per_address
        if self.open.get(address, 0) >= per_address or len(self.protocols) >= self.total:
            return None  # Twisted closes the connection at once: no file kept, nothing read
        self.open[address] = self.open.get(address, 0) + 1
        protocol = super().buildProtocol(addr)
        protocol.room_address = address
        return protocol

    def unregisterProtocol(self, p):
        super().unregisterProtocol(p)
        self.open[p.room_address] -= 1
        if not self.open[p.room_address]:
            del self.open[p.room_address]


class BoundedInbox:
    """Daphne's WebSocketProtocol (a mixin before it): the socket's reading stops while its consumer is behind.

    Daphne hands each frame to the consumer's queue (application_queue) and reads on. Once INBOX_FRAMES
    frames or INBOX_BYTES wait there, the transport stops reading; the consumer taking one (the queue's
    get_nowait, which its `receive` ends in) below half of either starts it again. What waits is then
    bounded by these plus the one read of 64 KiB in progress, and a frame still being assembled (Daphne
    refuses one past 1 MiB): per address, times CONNECTIONS_PER_ADDRESS.
    """

    reading = True
    waiting_bytes = 0

    def applicationCreateWorked(self, application_queue):
        self.waiting = collections.deque()  # the bytes of each frame in the queue, oldest first
        take = application_queue.get_nowait

        def taken():
            event = take()
            if event["type"] == "websocket.receive":
                self.waiting_bytes -= self.waiting.popleft()
                self.read_again()
            return event

        application_queue.get_nowait = taken  # the queue's get() ends in self.get_nowait(): this one
        super().applicationCreateWorked(application_queue)

    def onMessage(self, payload, isBinary):
        if self.muted:  # Daphne reads nothing more of a socket closing
            return
        self.waiting.append(len(payload))
        self.waiting_bytes += len(payload)
        super().onMessage(payload, isBinary)
        if self.reading and (len(self.waiting) >= INBOX_FRAMES or self.waiting_bytes >= INBOX_BYTES):
            self.reading = False
            self.transport.pauseProducing()

    def read_again(self) -> None:
        if not self.reading and len(self.waiting) <= INBOX_FRAMES // 2 and self.waiting_bytes <= INBOX_BYTES // 2:
            self.reading = True
            if self.transport is not None:
                self.transport.resumeProducing()


class RoomServer(Server):
    """Daphne's Server, listening through the room's doors: its HTTP factory is wrapped as Server.run() makes it."""

    total_connections = 900  # serve.py sets it below the open-file limit it has raised
    # Behind nginx every connection is nginx's own, from 127.0.0.1: serve.py lifts this to the total there.
    connections_per_address = CONNECTIONS_PER_ADDRESS
    when_listening: list = []  # called once Daphne listens: serve.py starts nginx in front of it then

    def listen_success(self, port):
        super().listen_success(port)
        for call in self.when_listening:
            call()

    @property
    def http_factory(self):
        return self.doors

    @http_factory.setter
    def http_factory(self, factory):
        # Server.run() makes its HTTPFactory and listens with it straight away: this setter is the one
        # place between the two, so the room changes no line of Daphne's.
        factory.protocol = RoomChannel
        self.doors = PerAddress(factory, self.total_connections, self.connections_per_address)

    @property
    def ws_factory(self):
        return self.sockets

    @ws_factory.setter
    def ws_factory(self, factory):
        # Made in Server.run() beside the HTTP factory; its protocol is whatever lessons/asgi.py set
        # (lesson 16's unread limit), with the inbox bounded before it.
        factory.protocol = type("RoomWebSocketProtocol", (BoundedInbox, factory.protocol), {})
        self.sockets = factory


class RoomCommandLine(CommandLineInterface):
    """`daphne ...`'s own command line, serving with RoomServer."""

    server_class = RoomServer
