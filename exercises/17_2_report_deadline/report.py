"""Exercise 17.2: The report that holds up the student's terminal.

After every check a student runs, lesson 17's client tells the instructor's
room the result. report(url, token, payload) opens a socket to `url`, sends
{"token": token}, waits for {"joined": ...}, sends `payload` and waits for
{"ok": ...}. Nothing about a student's own work may wait on the room: the
whole report, from opening the socket to the last answer and the close,
gets BUDGET seconds at most. It returns None once the room said ok, else
one line saying why the report did not arrive, and it never raises.

The bug: each step below has a timeout of its own, BUDGET each. A room that
answers every step in 0.7 s (the instructor's laptop under load, a Wi-Fi
that loses packets) holds the student's terminal for 2.1 s after every
check, and one that stops answering after the handshake for 2 s. A timeout
per step is not a deadline for the whole (hyperium/hyper#839). Give the
report one deadline, and each step what is left of it.

Rules (the check proves each one, and nothing else):

1. A room that answers the token with {"joined": ...} and the payload with
   {"ok": ...} hears the token, then the payload, once each; report()
   returns None.
2. One deadline: the whole report, from opening the socket to the close,
   gets BUDGET (1.0) seconds on time.monotonic() (a wall clock set back
   changes nothing), and each step, the handshake too, waits only for what
   is left of it. So a room that answers within BUDGET in all gets the
   report however the time falls between the steps, an answer that comes
   after the deadline is never taken, and the close waits at most a moment
   more (well under a second) for a room that never answers it.
3. Otherwise (a slow or silent room, an answer that is no JSON object with
   the key expected, a close, a refused handshake, no room at all) report()
   never raises and returns one line of at most 200 characters saying why
   (a refusal's HTTP status too, even with an empty token); it never sends
   the payload before {"joined": ...}, nor twice.
4. The line never shows the token, whole or its first characters, even when
   the room's answer quotes it back: hide the token, if there is one, before
   the line is cut.
5. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.
6. report() returns only once its socket is closed (or given up on): nothing
   of the report goes on after it returns.

Any client works (websockets' sync or asyncio client, another library): the
check talks to it through a real room on 127.0.0.1 only.

Edit this file, then check it:

    python manage.py exercise 17.2

The check is exercises/17_2_report_deadline/check.py; once you have tried,
`python manage.py exercise 17.2 --solution` shows where the solution is.
"""

import json

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

BUDGET = 1.0  # seconds for the whole report


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    # TODO: one deadline for the whole report; each step (and the close) waits only for what is left of it
    try:
        with connect(url, open_timeout=BUDGET, close_timeout=BUDGET, proxy=None) as socket:
            socket.send(json.dumps({"token": token}))
            expect(socket, "joined", BUDGET)
            socket.send(json.dumps(payload))
            expect(socket, "ok", BUDGET)
    except (OSError, TimeoutError, WebSocketException, ValueError) as error:
        return one_line(f"the report did not arrive ({type(error).__name__}: {error})")
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
