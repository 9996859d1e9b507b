"""Alternative 17.2, the time left worked out inline before each wait, and one `except Exception` for every failure.

Still right: one deadline on time.monotonic() taken before the handshake; the handshake, each answer and
the close wait only for what is left of it (the close a tenth of a second at most); any failure at all,
the room's nonsense included, becomes one line with the token hidden before the line is cut.
"""

import json
import time

from websockets.sync.client import connect

BUDGET = 1.0  # seconds for the whole report


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    end = time.monotonic() + BUDGET
    try:
        with connect(url, open_timeout=BUDGET, close_timeout=0.1, proxy=None) as socket:
            for frame, key in (({"token": token}, "joined"), (payload, "ok")):
                socket.send(json.dumps(frame))
                answer = json.loads(socket.recv(timeout=max(end - time.monotonic(), 0.001)))
                if not isinstance(answer, dict) or key not in answer:
                    raise ValueError(f"the room answered {answer!r}, not {{{key!r}: ...}}")
    except Exception as error:  # never raise into the student's command
        why = f"the report did not arrive ({type(error).__name__}: {error})"
        if token:
            why = why.replace(token, "***")
        return " ".join(why.split())[:200]
    return None
