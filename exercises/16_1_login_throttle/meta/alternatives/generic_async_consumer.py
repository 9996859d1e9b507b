"""Alternative 16.1, the generic AsyncWebsocketConsumer: the throttle in one sync function, run by sync_to_async.

Still right: the counting, the limits and the password check are one plain function (cache.incr is
atomic; cache.add gives a new counter its window), run in a thread so the event loop never waits on the
cache or the hasher; the count comes before authenticate(), a good login decrements its own attempt
only, and a RedisError anywhere in it is answered UNAVAILABLE. The events:

    websocket.connect     -> accept
    websocket.receive     -> one answer per frame, the socket open
    websocket.disconnect  -> the generic consumer stops
"""

import json
import unicodedata

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from redis.exceptions import RedisError

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"
UNAVAILABLE = "logging in is unavailable for a moment, try again later"


def counted(key: str) -> int:
    """One more attempt on the counter `key`: its new count (a new counter lasts the window)."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet: this attempt opens its window
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        return cache.incr(key)


def log_in(address: str, username: str, password: str) -> dict:
    """One attempt, counted, maybe checked: the answer. Blocking: called in a thread."""
    name = f"ex16-1/name/{unicodedata.normalize('NFKC', username).casefold()}"
    where = f"ex16-1/address/{address}"
    if counted(name) > settings.LOGIN_FAILURES_PER_USERNAME:
        counted(where)  # counted against both all the same
        return {"error": TOO_MANY}
    if counted(where) > settings.LOGIN_FAILURES_PER_ADDRESS:
        return {"error": TOO_MANY}
    user = authenticate(username=username, password=password)
    if user is None:
        return {"error": BAD_CREDENTIALS}
    for key in (name, where):
        try:
            cache.decr(key)
        except ValueError:  # its window ended while the password was checked: nothing to take back
            pass
    return {"username": user.get_username()}


class LoginConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        try:
            request = json.loads(text_data or "")
            username, password = request["username"], request["password"]
            if not (isinstance(username, str) and isinstance(password, str)):
                raise TypeError("not text")
            username.encode(), password.encode()  # a lone surrogate fits no database
        except (ValueError, TypeError, KeyError, RecursionError):  # UnicodeEncodeError is a ValueError
            await self.send(text_data=json.dumps({"error": 'expected {"username": "...", "password": "..."}'}))
            return
        try:
            reply = await sync_to_async(log_in)(self.scope["client"][0], username, password)
        except RedisError:
            reply = {"error": UNAVAILABLE}
        await self.send(text_data=json.dumps(reply))
