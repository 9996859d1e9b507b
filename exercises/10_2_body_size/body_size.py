"""Exercise 10.2: An AsyncHttpConsumer that measures bodies, up to a limit.

BodySizeConsumer (an AsyncHttpConsumer) answers a request with 200 and the
JSON {"bytes": <length of the body>}; a body over 1024 bytes gets 413.

Edit this file, then check it:

    python manage.py exercise 10.2

The check is exercises/10_2_body_size/check.py; once you have tried,
`python manage.py exercise 10.2 --solution` shows where the solution is.
"""

from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        # TODO: 413 over LIMIT; else 200 with {"bytes": len(body)} as application/json
        await self.send_response(200, b"", headers=[(b"content-type", b"application/json")])
