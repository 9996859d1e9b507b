"""Lesson 17: a socket whose frames wait for its consumer is no longer read (workshop/gate.py's BoundedInbox).

Daphne queues every frame a socket receives for its consumer and reads on: a flooder that never waits for
its answers grew that queue without bound. BoundedInbox, which `make workshop` puts before Daphne's own
WebSocket protocol, stops reading the socket while INBOX_FRAMES frames (or INBOX_BYTES) wait, and reads
it again once its consumer has taken them: the sender's writes wait in its own kernel.
"""

import asyncio

from daphne.ws_protocol import WebSocketFactory

from workshop.gate import INBOX_BYTES, INBOX_FRAMES, BoundedInbox, RoomServer


class Transport:
    """A TCP transport, as far as the inbox uses it: whether it is being read."""

    reading = True

    def pauseProducing(self):
        self.reading = False

    def resumeProducing(self):
        self.reading = True


class Daphnes:
    """What BoundedInbox calls of Daphne's WebSocketProtocol: the queue handed over, each frame put in it."""

    muted = False

    def applicationCreateWorked(self, application_queue):
        self.application_queue = application_queue

    def onMessage(self, payload, isBinary):
        self.application_queue.put_nowait({"type": "websocket.receive", "text": payload.decode()})


class Socket(BoundedInbox, Daphnes):
    pass


def a_socket() -> tuple[Socket, asyncio.Queue]:
    socket, queue = Socket(), asyncio.Queue()
    socket.transport = Transport()
    socket.applicationCreateWorked(queue)
    queue.put_nowait({"type": "websocket.connect"})  # Daphne's first event, no frame
    return socket, queue


def test_a_socket_whose_frames_wait_for_its_consumer_is_no_longer_read():
    socket, _ = a_socket()
    for _ in range(INBOX_FRAMES - 1):
        socket.onMessage(b'{"here": true}', False)
    assert socket.transport.reading
    socket.onMessage(b'{"here": true}', False)
    assert not socket.transport.reading


def test_a_frames_bytes_count_too():
    socket, _ = a_socket()
    socket.onMessage(b"x" * INBOX_BYTES, False)
    assert not socket.transport.reading


async def test_once_its_consumer_has_taken_half_the_socket_is_read_again():
    socket, queue = a_socket()
    for _ in range(INBOX_FRAMES):
        socket.onMessage(b'{"here": true}', False)
    assert await queue.get() == {"type": "websocket.connect"}  # not a frame: nothing changes
    for _ in range(INBOX_FRAMES // 2 - 1):
        await queue.get()
        assert not socket.transport.reading
    await queue.get()
    assert socket.transport.reading


def test_the_rooms_daphne_puts_it_before_its_own_websocket_protocol():
    server = RoomServer(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])  # not run: never listens
    server.ws_factory = WebSocketFactory(server)
    assert issubclass(server.ws_factory.protocol, BoundedInbox)
    assert issubclass(server.ws_factory.protocol, WebSocketFactory.protocol)
