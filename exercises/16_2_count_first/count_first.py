"""Exercise 16.2 (fix): ten sockets at once, ten passwords checked.

LoginConsumer answers each text frame {"username": ..., "password": ...}
with {"username": <name>} for the right password, {"error":
BAD_CREDENTIALS} otherwise. It is throttled: each failure is counted in
Django's cache against its username (any spelling), and once a name has
settings.LOGIN_FAILURES_PER_USERNAME (5) failures in
settings.LOGIN_FAILURE_WINDOW seconds, an attempt is answered {"error":
TOO_MANY} without its password being checked.

Try it on one socket and it works: five wrong passwords, then TOO_MANY. But
a guesser opens ten sockets and sends on all of them at once, and every one
of its passwords is checked (wazuh/wazuh#38135 fixed the same hole: "When
several login requests from the same IP arrived at once, the count could
fall behind"). Find why, and fix it. A login that works must still work
again and again.

Edit this file, then check it:

    python manage.py exercise 16.2

The check is exercises/16_2_count_first/check.py; once you have tried,
`python manage.py exercise 16.2 --solution` shows where the solution is.
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
        # TODO: what does this count say when ten sockets ask at the same moment?
        failures = await sync_to_async(cache.get)(key, 0)
        if failures >= settings.LOGIN_FAILURES_PER_USERNAME:
            return {"error": TOO_MANY}
        # authenticate() queries the database and hashes: in a thread.
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            await sync_to_async(count)(key, settings.LOGIN_FAILURE_WINDOW)
            return {"error": BAD_CREDENTIALS}
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
