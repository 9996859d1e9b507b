"""Alternative 10.1, Django's QueryDict and a match statement: the name read the way a Django view reads request.GET.

Still right: QueryDict decodes the raw query string's %-escapes as UTF-8 (DEFAULT_CHARSET), a missing
or empty name gets 400, and the two response events go out once, after the part without more_body;
then StopConsumer ends the instance (lesson 10).

Events, in order: http.request (once or more, the last without more_body), then this consumer sends
http.response.start and http.response.body and ends; http.disconnect follows once the answer is sent, or the client leaves first.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django.http import QueryDict


class HelloConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called for each part of the request body; answer after the last one."""
        if event.get("more_body", False):
            return  # the rest of the request is still on its way
        match QueryDict(self.scope["query_string"]).get("name"):
            case None | "":
                status, text = 400, "expected ?name=<your name>"
            case name:
                status, text = 200, f"Hello, {name}"
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": text.encode("utf-8")})
        raise StopConsumer()

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
