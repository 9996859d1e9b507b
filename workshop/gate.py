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
    RoomServer   Daphne's Server, listening through both (RoomCommandLine: Daphne's command line)

A WebSocket is an HTTP request until its upgrade: its headers meet the same
deadline, and its connection counts for its address as long as it is open.
"""

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


class RoomCommandLine(CommandLineInterface):
    """`daphne ...`'s own command line, serving with RoomServer."""

    server_class = RoomServer
