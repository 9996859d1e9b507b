"""Exercise 10.1: A raw HTTP consumer that says hello.

HelloConsumer is a raw AsyncConsumer for HTTP: GET /?name=Ada is answered
200 with the body "Hello, Ada" (text/plain, in UTF-8: /?name=%C5%81ucja is
"Hello, Łucja"); without a name, or with an empty one, 400. One response
per request, sent once the last part of the request has arrived.

Rules (the check proves each one, and nothing else):

1. GET /?name=Ada is answered 200 "Hello, Ada", its content-type
   text/plain; charset=utf-8, the body in UTF-8 (/?name=%C5%81ucja is
   "Hello, Łucja").
2. Without a name (no name parameter, or an empty one) the answer is 400.
3. The name is read as a form writes its query string (parse_qsl: & between
   parameters, + a space, %26 an &) and greeted as it was written.
4. A query string of any bytes (not UTF-8, a bare %, a name twice) gets
   200 or 400, never a crash.
5. One complete response per request, sent only after the last part of the
   body (the one without more_body), a 400 too; two requests at once each
   get their own.
6. The consumer ends after its response: by itself, or on the
   http.disconnect the server sends once the response is complete; and
   cleanly when the client leaves mid-body. It never holds the event loop.
7. Nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 10.1

The check is exercises/10_1_hello_http/check.py; once you have tried,
`python manage.py exercise 10.1 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class HelloConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called for each part of the request body."""
        # TODO: after the last part, send http.response.start then http.response.body

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
