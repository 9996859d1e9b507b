# No connect() at all (AsyncWebsocketConsumer's own awaits accept) and the awaited send under a positive text test: the answer still comes.
"""Alternative 03.3: the generic consumer's own connect() accepts; receive awaits its send."""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame gets its polite answer, a binary one nothing."""
        if text_data is not None:
            await self.send(text_data="you said: " + text_data)
