"""Exercise 13.2: A health check a load balancer can poll.

HealthCheckConsumer (an AsyncHttpConsumer) answers GET with 200 and the JSON
{"ok": true, "pid": <this process's id>}; any other method gets 405.

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
