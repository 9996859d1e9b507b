"""Exercise 01.2: Shout back, and close with 4000 on bye.

ShoutConsumer (a raw SyncConsumer) shouts every text frame back in capitals
and closes the socket with code 4000 on "bye".

Rules (the check proves each one, and nothing else):

1. ShoutConsumer is a raw SyncConsumer, not a generic one: its handlers send
   literal event dicts, the close too.
2. Every text frame comes back in capitals, its spaces and line breaks as
   they are (a frame of only spaces too).
3. The text "bye", exactly that, closes the socket with code 4000, with no
   frame first; anything else ("goodbye", "BYE", " bye") is shouted back.
4. Nothing is sent after that close: frames the client sent before it saw
   the close still arrive, until websocket.disconnect, and get no answer.
5. A binary frame gets no answer, and the socket stays open; no frame of any
   kind crashes the consumer.
6. Each socket is on its own: one socket's "bye" or frames never close or
   reach another.
7. The consumer ends on websocket.disconnect at the latest, whatever the
   code, also after its own close (ending right after that close is fine).
8. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 01.2

The check is exercises/01_2_shout/check.py; once you have tried,
`python manage.py exercise 01.2 --solution` shows where the solution is.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame."""
        # TODO: "bye" closes with code 4000; any other text comes back upper-cased
        self.send({"type": "websocket.send", "text": event.get("text") or ""})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
