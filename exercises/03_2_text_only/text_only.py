"""Exercise 03.2: A WebsocketConsumer that refuses binary frames politely.

TextOnlyConsumer (a WebsocketConsumer) echoes text frames; a binary frame
gets a text frame {"error": "..."} back and the socket stays open.

Rules (the check proves each one, and nothing else):

1. TextOnlyConsumer is a WebsocketConsumer (the sync generic consumer, or a
   subclass of it).
2. Every text frame comes back unchanged, on its own socket only (also when
   its event carries "bytes": None).
3. An empty text frame is a text frame: it never gets the error (echoing it
   back, or nothing, are both fine) and the socket goes on echoing.
4. A binary frame, whatever its bytes (empty, UTF-8 text, JSON; also when
   its event carries "text": None), gets the text frame {"error": "<a
   sentence>"}, a JSON object, on its own socket only; the socket stays
   open and still echoes.
5. The consumer ends on websocket.disconnect, and no frame of any kind
   crashes it.
6. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
