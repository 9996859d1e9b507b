"""Solution 17.2: the report that holds up the student's terminal.

One deadline for the whole report, set before anything starts: the handshake
and each answer wait only for what is left of it, and the close waits a
tenth of a second (websockets waits 10 s for a close nobody answers unless
told otherwise). A room that is slow at every step, or stops answering
after the handshake, costs the student BUDGET and one line; a room that
answers within BUDGET in all still gets its report, however the time falls
between the steps.

Why this way: a timeout per step bounds each wait, not their sum
(hyperium/hyper#839). Lesson 17's client (workshop/client.py) does the same
and also runs the report in a thread it waits BUDGET for, because a name
lookup takes no timeout at all.
"""

import json
import time

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

BUDGET = 1.0  # seconds for the whole report
CLOSE_TIMEOUT = 0.1  # seconds the close waits for the room's answer to it, past the deadline at most


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    deadline = time.monotonic() + BUDGET  # one deadline: every step gets what is left of it
    try:
        with connect(url, open_timeout=left(deadline), close_timeout=CLOSE_TIMEOUT, proxy=None) as socket:
            for frame, answer in (({"token": token}, "joined"), (payload, "ok")):
                socket.send(json.dumps(frame))
                expect(socket, answer, deadline)
    except (OSError, TimeoutError, WebSocketException, ValueError, RecursionError) as error:  # "[[[[..." too deep
        why = f"the report did not arrive ({type(error).__name__}: {error})"
        return one_line(why.replace(token, "<your token>") if token else why)  # a room may quote the token back
    return None


def left(deadline: float) -> float:
    """Seconds until the deadline; a sliver once it has passed (0 would mean "wait forever" to some calls)."""
    return max(0.001, deadline - time.monotonic())


def expect(socket, key: str, deadline: float) -> dict:
    """The next frame, which must be a JSON object holding `key`; ValueError if it is anything else."""
    answer = json.loads(socket.recv(timeout=left(deadline)))
    if not isinstance(answer, dict) or key not in answer:
        raise ValueError(f"expected {{{key!r}: ...}}, got {answer!r}")
    return answer


def one_line(text: str) -> str:
    """At most 200 characters on one line: an error's own text may hold newlines or a whole page."""
    return " ".join(text.split())[:200]
