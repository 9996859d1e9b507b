"""Solution 16.2: ten sockets at once get five guesses, not ten.

Why this way: the attempt is counted the moment it arrives, with one atomic
cache.incr(), and the limit is judged on the count it returns; only then is
the password checked. Ten sockets asking at once are ten counts before the
first hash, and only five of them are under the limit. A login that works
takes its own attempt back, and nothing more (lesson 16's auth_demo/throttle.py).
The events:

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


def count(key: str, window: int) -> int:
    """Add one to the counter (a new one lasts `window` seconds): the new count, in one atomic step."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first attempt: no counter yet
        cache.add(key, 0, window)
        return cache.incr(key)


def uncount(key: str) -> None:
    """Take one back from the counter: a good login's own attempt."""
    try:
        cache.decr(key)
    except ValueError:  # the window ended while the password was checked: nothing to take back
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
        # Counted first, and judged on the count incr() returned: a count read
        # before a slow check is stale by the time the check ends.
        attempts = await sync_to_async(count)(key, settings.LOGIN_FAILURE_WINDOW)
        if attempts > settings.LOGIN_FAILURES_PER_USERNAME:
            return {"error": TOO_MANY}
        # authenticate() queries the database and hashes: in a thread.
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        await sync_to_async(uncount)(key)
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
