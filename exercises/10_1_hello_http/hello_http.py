"""Exercise 10.1: A raw HTTP consumer that says hello.

HelloConsumer is a raw AsyncConsumer for HTTP: GET /?name=Ada is answered
200 with the body "Hello, Ada" (text/plain, in UTF-8: /?name=%C5%81ucja is
"Hello, Łucja"); without a name, or with an empty one, 400. One response
per request, sent once the last part of the request has arrived.

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
