"""Alternative 16.1, the sync WebsocketConsumer: each frame handled in a thread, so the cache and authenticate() are called directly.

Still right: a sync consumer's handlers run outside the event loop, so the blocking cache calls and the
password check stall no other socket; each attempt is counted with cache.add() then the atomic
cache.incr() on both counters before the password is checked; a good login takes back one from each
counter with decr(), and a counter gone meanwhile is left gone; any RedisError is answered UNAVAILABLE.
The events:

    websocket.connect     -> accept
    websocket.receive     -> one answer per frame, the socket open
    websocket.disconnect  -> the generic consumer stops
"""

import json
import unicodedata

from channels.generic.websocket import WebsocketConsumer
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from redis.exceptions import RedisError

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"
UNAVAILABLE = "logging in is unavailable for a moment, try again later"
SHAPE = 'expected {"username": "...", "password": "..."}'


class LoginConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        try:
            request = json.loads(text_data or "")
            username, password = request["username"], request["password"]
            username.encode(), password.encode()  # not str, or a lone surrogate: no login
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, RecursionError):
            reply = {"error": SHAPE}
        else:
            try:
                reply = self.log_in(username, password)
            except RedisError:
                reply = {"error": UNAVAILABLE}
        self.send(text_data=json.dumps(reply))

    def log_in(self, username, password):
        folded = unicodedata.normalize("NFKC", username).casefold()
        keys = [f"ex16-1:user:{folded}", f"ex16-1:addr:{self.scope['client'][0]}"]
        limits = [settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_FAILURES_PER_ADDRESS]
        counts = []
        for key in keys:
            cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)  # a no-op while the window runs
            counts.append(cache.incr(key))
        if any(count > limit for count, limit in zip(counts, limits, strict=True)):
            return {"error": TOO_MANY}
        user = authenticate(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        for key in keys:
            try:
                cache.decr(key)
            except ValueError:  # its window ended meanwhile
                pass
        return {"username": user.get_username()}
