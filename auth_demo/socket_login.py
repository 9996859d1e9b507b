"""Lesson 07: logging in and out over a socket with channels' login() and logout().

SocketLoginConsumer (ws/auth/login/) handles, in order:

    websocket.connect    -> websocket.accept (anyone may try to log in)
    websocket.receive    -> one JSON request per text frame:
                            {"action": "login", "username": "...", "password": "..."}
                            {"action": "logout"}
                            {"action": "whoami"}
                            each answered with websocket.send {"username": "<name>" or null},
                            or {"error": "..."}; the socket stays open either way. A login's
                            answer also carries "handoff": a token for the browser
                            (auth_demo/views.py). Too many failed logins for that
                            username or from that address, and a login is answered
                            {"error": "too many failed logins, try again in N s"}
                            without its password being checked (auth_demo/throttle.py)
    websocket.disconnect -> StopConsumer

login() changes this socket's scope["user"] and the session; the session is
only stored once we save it, and it reaches the browser only through the
handoff. Lesson text: lessons/07-authentication.md
"""

import json

from channels.auth import login, logout
from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.contrib.auth import authenticate

from auth_demo.throttle import CacheUnavailable, begin_attempt
from auth_demo.views import handoff_token

ACTIONS = ("login", "logout", "whoami")
# One answer for "no such user" and "wrong password", so a stranger cannot use
# this socket to find out which usernames exist.
BAD_CREDENTIALS = "invalid username or password"


class ClientError(Exception):
    """A request this socket cannot serve; its text goes back as {"error": ...}."""


def parse_request(event: dict) -> dict:
    """The JSON object in a websocket.receive event, or ClientError saying what arrived instead."""
    if event.get("text") is None:
        raise ClientError('expected a JSON text frame like {"action": "whoami"}, got a binary frame')
    try:
        request = json.loads(event["text"])
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep to decode
        raise ClientError(f"expected JSON, got {event['text'][:40]!r}") from None
    if not isinstance(request, dict):
        raise ClientError(f"expected a JSON object, got {type(request).__name__}")
    if request.get("action") not in ACTIONS:
        raise ClientError(f'expected "action" to be one of {", ".join(ACTIONS)}, got {request.get("action")!r}')
    return request


class SocketLoginConsumer(AsyncConsumer):
    """ws/auth/login/: logs this socket in or out with channels' login()/logout(), and says who it is."""

    async def websocket_connect(self, event):
        """Called when a client asks to open ws/auth/login/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame the client sends: one request, one answer."""
        try:
            request = parse_request(event)
            if request["action"] == "login":
                reply = await self.log_in(request)
            elif request["action"] == "logout":
                reply = await self.log_out()
            else:
                reply = {"username": self.username()}
        except ClientError as error:
            reply = {"error": str(error)}
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed, whoever closed it."""
        raise StopConsumer()

    async def log_in(self, request: dict) -> dict:
        """Check the credentials; on success log this socket's session in and store it."""
        username, password = request.get("username"), request.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ClientError(
                f'expected "username" and "password" as strings, got {type(username).__name__} '
                f"and {type(password).__name__}"
            )
        try:
            username.encode(), password.encode()
        except UnicodeEncodeError:
            # JSON may spell lone surrogates ("\ud800"): no database query or hasher can take them.
            raise ClientError('expected "username" and "password" as valid Unicode, got a lone surrogate') from None
        # Counted before it is checked; over a limit, refused unchecked: no hash
        # is spent, and the answer's timing says nothing about the password.
        try:
            attempt = await begin_attempt(self.scope, username)
        except CacheUnavailable as error:
            raise ClientError(str(error)) from None
        if attempt.retry_after:
            raise ClientError(f"too many failed logins, try again in {attempt.retry_after} s")
        # authenticate() queries the database and hashes the password (hundreds
        # of milliseconds of CPU, on purpose): in a thread, so other sockets keep going.
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            raise ClientError(BAD_CREDENTIALS)
        await attempt.succeeded()
        # login() writes the user into scope["session"] (under a fresh session
        # key) and sets scope["user"]; it does not store the session.
        await login(self.scope, user)
        # Nothing saves a session for a socket (Django's middleware saves it when
        # an HTTP response goes out, and a socket never sends one): save it here.
        await database_sync_to_async(self.scope["session"].save)()
        # login() moved the session to a new key, and a socket cannot set the
        # browser's cookie: give the client a signed token to redeem over HTTP.
        return {"username": self.username(), "handoff": handoff_token(self.scope["session"].session_key)}

    async def log_out(self) -> dict:
        """Log this socket out: logout() flushes the session, deleting it from the store."""
        # flush() deletes the stored session at once, so the browser whose cookie
        # names it is logged out too. There is nothing left to save.
        await logout(self.scope)
        return {"username": self.username()}

    def username(self) -> str | None:
        """Who this socket is logged in as now, or None."""
        user = self.scope["user"]
        return user.get_username() if user.is_authenticated else None
