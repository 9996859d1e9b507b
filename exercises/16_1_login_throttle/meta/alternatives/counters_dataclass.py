"""Alternative 16.1, the two counters as a frozen dataclass: made from the settings when the attempt comes, counted add-then-incr.

Still right: the attempt is counted on both counters, in a thread, before the password is checked, with
cache.add() (which never overwrites a running counter, and gives a new one the window from its first
attempt) then the atomic cache.incr(); the limits are read from the settings for each attempt; a good
login takes back one from each counter with decr() and never makes one anew; any RedisError, counting
or taking back, is answered UNAVAILABLE. The events:

    websocket.connect     -> websocket.accept
    websocket.receive     -> {"username": ..., "password": ...}: counted; over a limit
                             {"error": TOO_MANY}, else checked: {"username": <name>}
                             or {"error": BAD_CREDENTIALS}; the cache down: {"error": UNAVAILABLE}
    websocket.disconnect  -> StopConsumer
"""

import json
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Counters:
    """One attempt's two counters, each with its limit, and how long a new counter lasts."""

    keys: tuple[str, str]
    limits: tuple[int, int]
    window: int

    @classmethod
    def of(cls, scope: dict, username: str) -> "Counters":
        person = unicodedata.normalize("NFKC", username).casefold()  # "ada", "ADA", "ａｄａ": one counter
        return cls(
            keys=(f"ex16-1:username:{person}", f"ex16-1:address:{scope['client'][0]}"),
            limits=(settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_FAILURES_PER_ADDRESS),
            window=settings.LOGIN_FAILURE_WINDOW,
        )

    def count(self) -> bool:
        """Add one to both counters (Django's cache is synchronous: call it in a thread); True if within both limits."""
        counts = []
        for key in self.keys:
            while True:
                cache.add(key, 0, self.window)  # a no-op for a counter already running
                try:
                    counts.append(cache.incr(key))  # atomic: two sockets at once both count
                    break
                except ValueError:  # the counter ended between add() and incr(): make it again
                    continue
        return all(n <= limit for n, limit in zip(counts, self.limits, strict=True))

    def take_back(self) -> None:
        """Take one back from each counter still running: a good login's own attempt."""
        for key in self.keys:
            try:
                cache.decr(key)
            except ValueError:  # its window ended meanwhile: nothing to take back
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
        counters = Counters.of(self.scope, username)
        try:
            if not await sync_to_async(counters.count)():
                return {"error": TOO_MANY}
            user = await database_sync_to_async(authenticate)(username=username, password=password)
            if user is None:
                return {"error": BAD_CREDENTIALS}
            await sync_to_async(counters.take_back)()
        except RedisError:  # the cache is down: refuse, unchecked, rather than let attempts through uncounted
            return {"error": UNAVAILABLE}
        return {"username": user.get_username()}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
