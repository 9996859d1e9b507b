"""Alternative 16.2, the sync WebsocketConsumer: each frame handled in a thread, counted first with add() then incr().

Still right: a sync consumer's handlers run outside the event loop, so the cache and the hasher stall no
other socket; cache.add() (a no-op while a window runs) then the atomic cache.incr() count the attempt
the moment it arrives, and the limit is judged on the count incr() returned, before the password is
checked; a good login takes back its own attempt with decr(). A cache that is down raises out of the
handler before any password is checked: the server closes the socket with 1011 and logs why.
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

BAD_CREDENTIALS = "invalid username or password"
TOO_MANY = "too many failed logins, try again later"


class LoginConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        try:
            request = json.loads(text_data or "")
            username, password = request["username"], request["password"]
            username.encode(), password.encode()  # not str, or a lone surrogate: no login
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, RecursionError):
            reply = {"error": 'expected {"username": "...", "password": "..."}'}
        else:
            reply = self.log_in(username, password)
        self.send(text_data=json.dumps(reply))

    def log_in(self, username, password):
        key = "ex16-2:" + unicodedata.normalize("NFKC", username).casefold()
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        if cache.incr(key) > settings.LOGIN_FAILURES_PER_USERNAME:
            return {"error": TOO_MANY}
        user = authenticate(username=username, password=password)
        if user is None:
            return {"error": BAD_CREDENTIALS}
        try:
            cache.decr(key)
        except ValueError:  # its window ended while the password was checked
            pass
        return {"username": user.get_username()}
