"""The answer is JSON {"ok": true, "pid": ...}: the pid tells which process answered.

A classic wrong solution to exercise 13.2: the answer is the plain text ok.
The check says: ""pid""
"""


from channels.generic.http import AsyncHttpConsumer


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        if self.scope["method"] != "GET":
            await self.send_response(405, b"", headers=[(b"allow", b"GET")])
            return
        await self.send_response(200, b"ok", headers=[(b"content-type", b"text/plain")])
