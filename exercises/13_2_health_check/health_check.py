"""Exercise 13.2: A health check a load balancer can poll.

HealthCheckConsumer (an AsyncHttpConsumer) answers GET with 200 and the JSON
{"ok": true, "pid": <this process's id>}; any other method gets 405.

Rules (the check proves each one, and nothing else):

1. GET gets 200 and the JSON {"ok": true, "pid": <os.getpid()>}: true, not
   1, and the pid a whole number, whatever the request's body; two GETs at
   once both get it, and the event loop never stalls.
2. The pid is asked for when the request comes, not when the module is
   imported (a server forks its workers after importing).
3. The 200 says it is JSON: content-type application/json.
4. Every other method (TRACE, PROPFIND, any name a client sends) gets 405
   with the header allow: GET.
5. Header names are lowercase bytes; one response per request, and
   nothing is sent after it.
6. A client that leaves mid-body ends the consumer; a query and a
   User-Agent that are no UTF-8 still get an answer, never a crash.
7. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 13.2

The check is exercises/13_2_health_check/check.py; once you have tried,
`python manage.py exercise 13.2 --solution` shows where the solution is.
"""

import json  # noqa: F401  (you will need them)
import os  # noqa: F401

from channels.generic.http import AsyncHttpConsumer


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        # TODO: 405 for anything but GET; else 200 {"ok": true, "pid": os.getpid()} as application/json
        await self.send_response(200, b"{}", headers=[(b"content-type", b"application/json")])
