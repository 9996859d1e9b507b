"""Lesson 09's tiny consumers: just enough code for each testing tool to drive.

They live with the tests, not in an app, because they teach testing, not a
feature. Each is a raw consumer; the events each one handles, in order:

    EchoConsumer          websocket.connect -> websocket.accept, websocket.receive -> websocket.send,
                          websocket.disconnect -> StopConsumer
    ForgetfulEchoConsumer the same, but websocket.disconnect forgets StopConsumer (a pitfall)
    WhoAmIConsumer        websocket.connect -> websocket.accept + websocket.send, or websocket.close 4401
    JobWorkerConsumer     job.run (a "channel" scope, as under runworker) -> a reply on the channel layer
    HelloHttpConsumer     http.request -> http.response.start + http.response.body

Lesson text: lessons/09-testing.md.
"""

import json
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.security.websocket import AllowedHostsOriginValidator


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame; a frame has either "text" or "bytes"."""
        frame = {"text": event["text"]} if event.get("text") is not None else {"bytes": event["bytes"]}
        await self.send({"type": "websocket.send", **frame})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed, from either end."""
        raise StopConsumer()


class ForgetfulEchoConsumer(EchoConsumer):
    async def websocket_disconnect(self, event):
        """Called once the socket is closed. The bug: no StopConsumer, so this instance never ends."""


class WhoAmIConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket: only a logged-in user gets in."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 4401})
            return
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"username": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed, from either end."""
        raise StopConsumer()


class JobWorkerConsumer(AsyncConsumer):
    async def job_run(self, event):
        """Called for each {"type": "job.run", "text": ..., "reply_to": <channel>} sent to the worker's channel."""
        # A worker has no client to answer (under runworker, self.send() raises
        # NotImplementedError), so the result travels back over the channel layer.
        words = len(event["text"].split())
        await self.channel_layer.send(event["reply_to"], {"type": "job.done", "words": words})


class HelloHttpConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called with the request body; answers "Hello, <name>" for ?name=<name>."""
        # Deliberately fragile: no ?name= raises KeyError, for the pitfall test.
        name = parse_qs(self.scope["query_string"].decode())["name"][0]
        await self.send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await self.send({"type": "http.response.body", "body": f"Hello, {name}".encode()})
        raise StopConsumer()


# The same wrappers the root router (lessons/asgi.py) puts around every route.
origin_checked_echo = AllowedHostsOriginValidator(EchoConsumer.as_asgi())
session_whoami = AuthMiddlewareStack(WhoAmIConsumer.as_asgi())
