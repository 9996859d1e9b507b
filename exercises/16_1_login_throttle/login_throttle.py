"""Exercise 16.1: a socket login that a password guesser cannot hammer.

LoginConsumer answers each text frame {"username": ..., "password": ...}
with {"username": <name>} for the right password, {"error":
BAD_CREDENTIALS} otherwise, and keeps the socket open for the next try. As
it stands, a guesser tries as many passwords as the hasher can check, on as
many sockets as it opens (lesson 16, "The password guesser").

Throttle it, in Django's cache (django.core.cache.cache: one store that every
server process shares; a dict would be one per process):

- Count every attempt, before its password is checked, against two
  counters: its username's, however it is spelled ("ada", "ADA" and the
  full-width "ａｄａ" are one counter), and its client's address's
  (scope["client"][0]).
- An attempt that takes its username's count over
  settings.LOGIN_FAILURES_PER_USERNAME (5), or its address's over
  settings.LOGIN_FAILURES_PER_ADDRESS (20), is answered {"error": TOO_MANY}
  without checking its password. The socket stays open.
- A counter lasts settings.LOGIN_FAILURE_WINDOW seconds from its first
  attempt (read the settings when you count: the check changes them).
- A login that works takes back its own attempt, and nothing more.
- Two sockets counting at the same moment must both count.
- When the cache raises (Django's Redis cache raises
  redis.exceptions.RedisError while Redis is down), answer
  {"error": UNAVAILABLE}, without checking the password.

Rules (the check proves each one, and nothing else):

1. Each frame {"username": ..., "password": ...} (two strings) gets one
   answer, and the socket stays open: {"username": <name>} for the right
   password, {"error": BAD_CREDENTIALS} otherwise. Any other frame (binary,
   not JSON, another shape, nested too deep) gets {"error": "<why>"} on its own
   socket, never crashes the consumer, never reaches another socket; the
   consumer ends on websocket.disconnect.
2. Every attempt counts, before its password is checked, in Django's cache,
   in one atomic step (cache.add, cache.incr: ten sockets or two server
   processes counting at once all count), against its username's counter and
   its address's. Every spelling of a name is one counter: "ada", "ADA",
   "ａｄａ", "straße" and "STRASSE" alike (NFKC, then casefold), names that
   exist or not; the name checked is the one typed. The address is
   scope["client"][0], never a header (X-Forwarded-For, X-Real-IP, Forwarded).
3. An attempt that takes its username's count over
   LOGIN_FAILURES_PER_USERNAME, or its address's over
   LOGIN_FAILURES_PER_ADDRESS, is answered {"error": TOO_MANY}, its password
   unchecked.
4. A counter lasts LOGIN_FAILURE_WINDOW seconds from its first attempt (the
   cache's own timeout: the check moves time.time, the clock Django's cache
   expires keys by); an attempt after that starts a new one. The settings
   are read when counting.
5. A login that works takes back its own attempt from both counters and
   nothing more; a counter whose window ended meanwhile is not made again.
6. When the cache raises a RedisError (refused, timed out), the attempt is
   answered {"error": UNAVAILABLE}, its password unchecked; the cache is never
   called on the event loop, so a slow one stalls no other socket.
7. No password is ever logged or printed, right or wrong, and nothing sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file (the TODOs), then check it:

    python manage.py exercise 16.1

The check is exercises/16_1_login_throttle/check.py; once you have tried,
`python manage.py exercise 16.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.contrib.auth import authenticate

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"
UNAVAILABLE = "logging in is unavailable for a moment, try again later"


def parse(event: dict) -> tuple[str, str] | None:
    """The username and password a frame carries, or None for any other frame."""
    try:
        request = json.loads(event.get("text") or "")
        username, password = request["username"], request["password"]
        username.encode(), password.encode()  # a lone surrogate ("\ud800") fits no database
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, RecursionError):  # "[[[[..." too deep
        return None
    return username, password


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
            # TODO: the cache down (RedisError) is answered {"error": UNAVAILABLE}
            reply = await self.log_in(*credentials)
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def log_in(self, username: str, password: str) -> dict:
        """Called for each well-formed attempt: the answer to send back."""
        # TODO: count this attempt against its username and its address, in the cache;
        # over either limit, answer {"error": TOO_MANY} without checking the password
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        # TODO: a login that works takes back its own attempt
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
