"""Exercise 03.2: A WebsocketConsumer that refuses binary frames politely.

TextOnlyConsumer (a WebsocketConsumer) echoes text frames; a binary frame
gets a text frame {"error": "..."} back and the socket stays open.

Edit this file, then check it:

    python manage.py exercise 03.2

The check is exercises/03_2_text_only/check.py; once you have tried,
`python manage.py exercise 03.2 --solution` shows where the solution is.
"""

from channels.generic.websocket import WebsocketConsumer


class TextOnlyConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive."""
        # TODO: echo text; answer bytes with a JSON error frame
