"""Exercise 14.2: A reconnect delay that survives a reconnect storm: backoff, a cap, full jitter.

When a server restarts, every socket it held closes at the same instant, and
every client tries again. Backoff with a cap alone, min(30 s, 0.5 s * 2 ** attempt),
brings ten thousand clients that lost the server together back together, at
0.5 s, at 1 s, at 2 s..., and each wave can knock the new server over again.
Lesson 12's page client (course/static/course/client.js) draws each wait at
random below that ceiling; write the same policy for a Python client.

Write Backoff, one per client: closed() is called each time the socket
closes or a reconnect fails, and returns how many seconds to wait before the
next try; opened() is called when a socket opens. The policy, AWS's "full
jitter": the ceiling is min(CAP, BASE * 2 ** attempt), where attempt counts
the failed tries since the last open (0 for the first retry), and the delay
is drawn uniformly from 0 to that ceiling. BASE and CAP are client.js's, so
the course teaches one policy.

Rules (the check proves each one, and nothing else):

1. closed() returns a delay drawn evenly (uniformly) from 0 to the ceiling
   min(CAP, BASE * 2 ** attempt), attempt being the failed tries since the
   last open (0 for the first retry); BASE and CAP stay 0.5 and 30.0.
2. Each Backoff counts its own tries: another client's closes and opens
   change nothing for it.
3. opened() starts the count again: the next close draws from 0 to BASE.
4. closed() keeps answering through thousands of failures in a row (a
   day-long outage): never an error, never a fixed delay.
5. Two client processes started at the same instant, each with pid 1 (as in
   containers), draw different delays: never seed the generator yourself.
6. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 14.2

The check is exercises/14_2_reconnect_delay/check.py; once you have tried,
`python manage.py exercise 14.2 --solution` shows where the solution is.
"""

import random  # noqa: F401  (for the jitter)

BASE = 0.5  # seconds: the first retry's ceiling (client.js)
CAP = 30.0  # seconds: no retry ever waits longer (client.js)


class Backoff:
    """When one client tries again after its socket closed."""

    def __init__(self):
        self.attempt = 0  # failed tries since the last successful open

    def closed(self) -> float:
        """Called when the socket closed or a reconnect failed: seconds to wait before the next try."""
        # TODO: a ceiling that doubles from BASE with each attempt, capped at CAP; a delay drawn from 0 to it
        return BASE

    def opened(self) -> None:
        """Called when a socket opened."""
        # TODO: the next close starts again from the first retry's ceiling
