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

Rules (the check proves each one, and nothing else):

1. Each frame {"username": ..., "password": ...} (two strings) gets one
   answer, and the socket stays open: {"username": <name>} for the right
   password, {"error": BAD_CREDENTIALS} otherwise. Any other frame (binary,
   not JSON, another shape, nested too deep) gets {"error": "<why>"} on its own
   socket, never crashes the consumer, never reaches another socket; the
   consumer ends on websocket.disconnect.
2. Every attempt counts the moment it arrives, before its password is
   checked, in one atomic step (cache.incr(), never a get then a set), and is
   judged on the count that step returns: ten wrong passwords sent at once,
   to one server process or two, get five checked. Every spelling of a name
   is one counter ("ada", "ADA", "ａｄａ", "straße" and "STRASSE" alike).
3. An attempt over LOGIN_FAILURES_PER_USERNAME is answered {"error":
   TOO_MANY}, its password unchecked; a counter lasts LOGIN_FAILURE_WINDOW
   seconds from its first attempt (the cache's own timeout: the check moves
   time.time, the clock Django's cache expires keys by), then the name may
   try again.
4. A login that works takes back its own attempt (cache.decr) and nothing
   more, so logging in again and again never locks anyone out, even when the
   counter's window ends while the password is checked.
5. The cache is never called on the event loop (a slow one stalls no other
   socket), and when it raises, no password is checked.
6. No password is ever logged or printed, right or wrong, and nothing sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

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
