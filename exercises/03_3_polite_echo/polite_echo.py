"""Exercise 03.3 (fix): the polite echo accepts, then never answers.

PoliteEchoConsumer is an AsyncWebsocketConsumer: it accepts every socket and
answers each text frame t with "you said: t". The socket opens, but no answer
ever comes, and the server's log (or pytest's warnings summary) shows

    RuntimeWarning: coroutine 'AsyncWebsocketConsumer.send' was never awaited

Python's asyncio guide explains that warning ("Detect never-awaited
coroutines"). Find the mistake and fix it.

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
