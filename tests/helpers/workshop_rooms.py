"""Small real servers standing in for the instructor's laptop, for lesson 17's client tests (workshop/client.py).

    FakeRoom      a websockets server speaking the protocol of ws/workshop/student/: it records every frame
                  and Origin, replays the messages after `since`, and restarts on its port; nonsense=True
                  answers every frame with words that are not the protocol; ended=True answers a token as
                  a closed workshop's; unanswered=True takes a frame after the token and closes unanswered
    SilentServer  accepts TCP connections and never says a byte: the slow server a report must not wait for
    JoinServer    answers POST /workshop/join/ with a fixed status and body, and records each request

Each is a context manager that stops its threads on exit. For the real room in a Daphne,
the instructor's side: staff_cookie(), room_json() and staff_says().
"""

import json
import socket
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.sync.server import serve

from harness.patience import CONDITION, FRAME, SERVER_STOP
from harness.servers import free_fixed_port
from workshop import client

TOKEN = "a-signed-token-for-the-tests"


class FakeRoom:
    """The student socket of a room, in a thread: `frames` holds every frame any socket sent, parsed."""

    def __init__(self, nonsense: bool = False, ended: bool = False, unanswered: bool = False):
        self.nonsense, self.ended, self.unanswered = nonsense, ended, unanswered
        self.frames: list = []
        self.origins: list[str | None] = []
        self.messages: list[dict] = []  # the instructor's, {"id", "text"}: stored, so a restart keeps them
        self.joined: list = []  # the sockets past their token, which get live messages
        self.port = free_fixed_port()  # a restart binds it again (harness.servers says why not an ephemeral one)
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = serve(self.handle, "127.0.0.1", self.port)
        # A short poll: stop() waits for ended connections' threads, looking every 0.1 s by default.
        self.server.SHUTDOWN_POLLING_INTERVAL = 0.005
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Close the listening socket and every connection (1012, service restart), as a stopped server does."""
        self.server.shutdown(code=1012)
        self.thread.join(timeout=SERVER_STOP)
        self.joined.clear()

    def say(self, text: str) -> None:
        """The instructor sends a message: stored, then sent to each socket in the room."""
        message = {"id": len(self.messages) + 1, "text": text}
        self.messages.append(message)
        for ws in list(self.joined):
            try:
                ws.send(json.dumps({"instructor": message}))
            except ConnectionClosed:
                pass

    def handle(self, ws) -> None:
        self.origins.append(ws.request.headers.get("Origin"))
        try:
            for text in ws:
                frame = json.loads(text)
                self.frames.append(frame)
                if self.nonsense:
                    ws.send("the kettle is on")
                elif "token" in frame:
                    if self.ended:  # as workshop/student_socket.py answers a token of a closed workshop
                        ws.send(json.dumps({"error": "the workshop has ended"}))
                    if frame["token"] != TOKEN or self.ended:
                        ws.close(4401)
                        return
                    ws.send(json.dumps({"joined": "alice", "last_message": len(self.messages)}))
                    for message in self.messages if "since" in frame else []:
                        if message["id"] > frame["since"]:
                            ws.send(json.dumps({"instructor": message}))
                    self.joined.append(ws)
                elif self.unanswered:  # taken, and the connection lost before the answer
                    ws.close(1001)
                    return
                elif "here" not in frame:
                    ws.send(json.dumps({"ok": next(iter(frame))}))
        except ConnectionClosed:
            pass
        finally:
            if ws in self.joined:
                self.joined.remove(ws)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class SilentServer:
    """A TCP server that accepts every connection and never reads or writes: what a hung laptop looks like.

    It never closes a connection either, until the test ends: a client that returns meanwhile gave up by itself.
    """

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accept(self) -> None:
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:  # closed by __exit__
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=SERVER_STOP)
        for held in self.held:
            held.close()


class JoinServer:
    """POST /workshop/join/ answered with `status` and `body` (bytes, or an object sent as JSON); `bodies` records each."""

    def __init__(self, status: int, body):
        self.bodies: list[bytes] = []
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        server_side = self

        class Answer(BaseHTTPRequestHandler):
            def do_POST(self):
                server_side.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(status)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass  # quiet: the test's output is the command's

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: shutdown() waits for the loop to look, 0.5 s by default.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.002,), daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=SERVER_STOP)


def wait_for(predicate, timeout: float = CONDITION) -> None:
    """Return once predicate() is true; fail the test after `timeout` s (harness/patience.py's CONDITION)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"waited {timeout} s in vain"
        time.sleep(0.002)  # what it waits for (a thread's reply) takes milliseconds: look again soon


@contextmanager
def watching(out):
    """A watch's listener (workshop.client.Listener) printing to `out`, joined to the room; stopped after, always."""
    listener = client.Listener(out, StringIO())
    listener.start()
    try:
        wait_for(listener.joined.is_set)
        yield listener
    finally:
        listener.stop()


# --- the instructor's side of a real room (a Daphne on the test database) ------------------------


def staff_cookie() -> str:
    """A staff user's session cookie, saved in the test database the Daphne reads (a transactional test's)."""
    from django.contrib.auth.models import User
    from django.test import Client

    browser = Client()
    browser.force_login(User.objects.create_user("teacher", is_staff=True))
    return f"sessionid={browser.cookies['sessionid'].value}"


def room_json(url: str, cookie: str) -> dict:
    """GET <url>/workshop/room.json as the instructor."""
    request = urllib.request.Request(f"{url}/workshop/room.json", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=FRAME) as response:
        return json.load(response)


def staff_says(url: str, cookie: str, text: str) -> int:
    """The instructor's page tells the room `text` over ws/workshop/room/; the saved message's id."""
    ws_url = "ws" + url.removeprefix("http") + "/ws/workshop/room/"
    with connect(ws_url, origin=url, additional_headers={"Cookie": cookie}, open_timeout=FRAME, proxy=None) as ws:
        ws.send(json.dumps({"message": text}))
        while "sent" not in (answer := json.loads(ws.recv(timeout=FRAME))):
            assert "error" not in answer, answer
        return answer["sent"]
