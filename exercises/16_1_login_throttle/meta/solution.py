"""Solution 16.1: a socket login a password guesser cannot hammer.

Why this way: every attempt is counted before its password is checked,
against two counters in Django's cache (one store for every server process),
so ten sockets guessing at once are ten counts before the first hash; over a
limit the attempt is refused unchecked, which costs no hash and says nothing
about the password (lesson 16's auth_demo/throttle.py, made small). The events:

    websocket.connect     -> websocket.accept
    websocket.receive     -> {"username": ..., "password": ...}: counted; over a limit
                             {"error": TOO_MANY}, else checked: {"username": <name>}
                             or {"error": BAD_CREDENTIALS}; the cache down: {"error": UNAVAILABLE}
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
from redis.exceptions import RedisError

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


def counter_keys(scope: dict, username: str) -> tuple[str, str]:
    """The cache keys of this attempt's two counters: its username's, its client's address's."""
    # "ada", "ADA" and "ａｄａ" (full-width) are one person to a guesser: one counter.
    same_person = unicodedata.normalize("NFKC", username).casefold()
    return f"ex16-1:username:{same_person}", f"ex16-1:address:{scope['client'][0]}"


def count(keys: tuple[str, ...], window: int) -> list[int]:
    """Add one to each counter (a new one lasts `window` seconds): the new counts."""
    # incr() and add() are atomic (a lock in LocMemCache, INCR and SET NX in Redis):
    # two sockets counting at once both count. cache.aincr() is a read, then a write.
    counts = []
    for key in keys:
        try:
            counts.append(cache.incr(key))
        except ValueError:  # the window's first attempt: no counter yet
            cache.add(key, 0, window)
            counts.append(cache.incr(key))
    return counts


def uncount(keys: tuple[str, ...]) -> None:
    """Take one back from each counter: a good login's own attempt, and nothing more."""
    for key in keys:
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
            try:
                reply = await self.log_in(*credentials)
            except RedisError:
                # The cache is down: a throttle that let attempts through uncounted
                # would be off exactly when no one is watching. Refuse, unchecked.
                reply = {"error": UNAVAILABLE}
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def log_in(self, username: str, password: str) -> dict:
        """Called for each well-formed attempt: the answer to send back."""
        keys = counter_keys(self.scope, username)
        # Counted before the password is checked: a guesser's ten sockets are ten
        # counts before the first hash, not ten checks before the first failure.
        by_username, by_address = await sync_to_async(count)(keys, settings.LOGIN_FAILURE_WINDOW)
        if by_username > settings.LOGIN_FAILURES_PER_USERNAME or by_address > settings.LOGIN_FAILURES_PER_ADDRESS:
            return {"error": TOO_MANY}
        # authenticate() queries the database and hashes: in a thread.
        user = await database_sync_to_async(authenticate)(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        await sync_to_async(uncount)(keys)
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
