"""Alternative 16.2, the generic AsyncWebsocketConsumer: the whole throttled login one sync function, in a thread.

Still right: counting, judging and checking happen in one plain function run by sync_to_async, so the
event loop never waits on the cache or the hasher; the attempt is counted with the atomic cache.incr()
(cache.add() opens a new window) and judged on the count incr() returned before authenticate() runs;
a good login decrements its own attempt only. A cache that is down raises before any password is
checked, and the error goes through to the server.
The events:

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

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"


def log_in(username: str, password: str) -> dict:
    """One attempt, counted, maybe checked: the answer. Blocking: called in a thread."""
    key = f"ex16-2/{unicodedata.normalize('NFKC', username).casefold()}"
    try:
        attempts = cache.incr(key)
    except ValueError:  # the first attempt of a window
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        attempts = cache.incr(key)
    if attempts > settings.LOGIN_FAILURES_PER_USERNAME:
        return {"error": TOO_MANY}
    user = authenticate(username=username, password=password)
    if user is None:
        return {"error": BAD_CREDENTIALS}
    try:
        cache.decr(key)
    except ValueError:  # the window ended meanwhile: nothing to take back
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
        except (ValueError, TypeError, KeyError, RecursionError):
            await self.send(text_data=json.dumps({"error": 'expected {"username": "...", "password": "..."}'}))
            return
        await self.send(text_data=json.dumps(await sync_to_async(log_in)(username, password)))
