"""Alternative 16.2, one sync step that counts and judges: admitted() adds then increments, and says yes or no.

Still right: the count is taken with the atomic cache.incr() the moment the attempt arrives (cache.add()
first makes a counter lasting the window, and never touches one already running), and the limit is
judged on the number incr() returned, so ten sockets at once are ten counts before any password is
checked, on one server process or several; only then is the password checked, and a login that works
takes its own attempt back with decr(). The events:

    websocket.connect     -> websocket.accept
    websocket.receive     -> {"username": ..., "password": ...}: counted; over the limit
                             {"error": TOO_MANY}, else checked: {"username": <name>}
                             or {"error": BAD_CREDENTIALS}
    websocket.disconnect  -> StopConsumer
"""

import json
import unicodedata

from asgiref.sync import sync_to_async
from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"


def parse(event: dict) -> tuple[str, str] | None:
    """The username and password a frame carries, or None for any other frame."""
    try:
        request = json.loads(event.get("text") or "")
        username, password = request["username"], request["password"]
        username.encode(), password.encode()  # a lone surrogate ("\ud800") fits no database
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, RecursionError):  # "[[[[..." too deep
        return None
    return username, password


def counter_key(username: str) -> str:
    """The cache key of a username's counter: "ada", "ADA" and "ａｄａ" share one."""
    return "ex16-2:" + unicodedata.normalize("NFKC", username).casefold()


def admitted(key: str) -> bool:
    """Count one attempt against the counter, atomically: True while the new count is within the limit."""
    while True:
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)  # the window's first attempt makes the counter
        try:
            return cache.incr(key) <= settings.LOGIN_FAILURES_PER_USERNAME
        except ValueError:  # the counter's window ended between add() and incr(): start the next one
            continue


def take_back(key: str) -> None:
    """A login that worked: its own attempt no longer counts (if its window is still running)."""
    try:
        cache.decr(key)
    except ValueError:
        pass


class LoginConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: anyone may try to log in."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: one attempt, one answer; the socket stays open."""
        credentials = parse(event)
        if credentials is None:
            reply = {"error": 'expected {"username": "...", "password": "..."}'}
        else:
            reply = await self.log_in(*credentials)
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def log_in(self, username: str, password: str) -> dict:
        """Called for each well-formed attempt: the answer to send back."""
        key = counter_key(username)
        if not await sync_to_async(admitted)(key):
            return {"error": TOO_MANY}
        # authenticate() queries the database and hashes: in a thread.
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        await sync_to_async(take_back)(key)
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
