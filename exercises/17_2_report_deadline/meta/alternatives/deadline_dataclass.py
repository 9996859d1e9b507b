"""Alternative 17.2, a Deadline dataclass asked for what is left at each step, and the two exchanges written out, not looped.

Still right: the deadline is fixed on the monotonic clock before the socket is opened; the handshake
and each answer wait only for deadline.left(), read afresh at every step; the close waits 0.1 s at
most; every way the report can fail (network, timeout, protocol, a wrong or too deeply nested answer)
becomes one line, with the token never in it, and report() never raises.
"""

import json
import time
from dataclasses import dataclass, field

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

BUDGET = 1.0  # seconds for the whole report
CLOSE_TIMEOUT = 0.1  # seconds: websockets would otherwise wait 10 s for a room that never answers the close


@dataclass
class Deadline:
    """A moment on the monotonic clock, `seconds` from when it is made."""

    seconds: float
    at: float = field(init=False)

    def __post_init__(self):
        self.at = time.monotonic() + self.seconds

    def left(self) -> float:
        """What is left of it now; a millisecond once it has passed (a timeout of 0 may mean no timeout)."""
        return max(self.at - time.monotonic(), 0.001)


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    deadline = Deadline(BUDGET)
    try:
        with connect(url, open_timeout=deadline.left(), close_timeout=CLOSE_TIMEOUT, proxy=None) as socket:
            socket.send(json.dumps({"token": token}))
            expect(socket, "joined", deadline.left())
            socket.send(json.dumps(payload))
            expect(socket, "ok", deadline.left())
    except (OSError, TimeoutError, WebSocketException, ValueError, RecursionError) as error:
        text = f"the report did not arrive ({type(error).__name__}: {error})"
        if token:
            text = text.replace(token, "<your token>")  # a room may quote the token back in its error
        return one_line(text)
    return None


def expect(socket, key: str, timeout: float) -> dict:
    """The next frame, which must be a JSON object holding `key`; ValueError if it is anything else."""
    answer = json.loads(socket.recv(timeout=timeout))
    if not isinstance(answer, dict) or key not in answer:
        raise ValueError(f"expected {{{key!r}: ...}}, got {answer!r}")
    return answer


def one_line(text: str) -> str:
    """At most 200 characters on one line: an error's own text may hold newlines or a whole page."""
    return " ".join(text.split())[:200]
