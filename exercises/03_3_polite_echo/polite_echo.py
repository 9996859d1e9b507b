"""Exercise 03.3 (fix): the polite echo accepts, then never answers.

PoliteEchoConsumer is an AsyncWebsocketConsumer: it accepts every socket and
answers each text frame t with "you said: t". The socket opens, but no answer
ever comes, and the server's log (or pytest's warnings summary) shows

    RuntimeWarning: coroutine 'AsyncWebsocketConsumer.send' was never awaited

Python's asyncio guide explains that warning ("Detect never-awaited
coroutines"). Find the mistake and fix it.

Rules (the check proves each one, and nothing else):

1. PoliteEchoConsumer stays an AsyncWebsocketConsumer (not a sync one).
2. Each text frame t gets the text frame "you said: t", t exactly as it
   came (its spaces too), and no coroutine is left unawaited.
3. An empty text frame is a text frame too, and is answered: it gets
   "you said: " (nothing after the space). Only a frame without text,
   text_data None, goes unanswered.
4. A binary frame gets no answer, and the socket stays open; no frame of
   any kind crashes the consumer.
5. Two sockets each get their own answers, in order, and only their own.
6. Each answer is sent (awaited) before receive() returns, and nothing
   holds the event loop.
7. The consumer ends on websocket.disconnect.
8. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 03.3

The check is exercises/03_3_polite_echo/check.py; once you have tried,
`python manage.py exercise 03.3 --solution` shows where the solution is.
"""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return
        # TODO: does this line send anything?
        self.send(text_data=f"you said: {text_data}")
