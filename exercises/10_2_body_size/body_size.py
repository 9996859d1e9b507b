"""Exercise 10.2: An AsyncHttpConsumer that measures bodies, up to a limit.

BodySizeConsumer (an AsyncHttpConsumer) answers a request with 200 and the
JSON {"bytes": <length of the body>}; a body over 1024 bytes gets 413.

Rules (the check proves each one, and nothing else):

1. BodySizeConsumer is an AsyncHttpConsumer.
2. A request of any method (GET, POST, PUT, PATCH, DELETE, OPTIONS) is
   answered 200 {"bytes": <the body's length>} as application/json, every
   byte counted as it came (spaces, line ends); an empty body measures 0.
3. Up to 1024 bytes gets 200, over it 413; bytes are counted, never
   characters (a body is bytes: never decode it).
4. A body in several parts is measured whole, whatever its content-length
   header says; a body over the limit before its last part gets one 413.
5. Two requests at once are measured apart, without holding the event
   loop.
6. The consumer ends cleanly when the client leaves mid-body; a query and
   a header that are not UTF-8 get an answer; nothing in this file sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

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
