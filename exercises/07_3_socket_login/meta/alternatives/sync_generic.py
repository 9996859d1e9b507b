# WebsocketConsumer (sync, generic): authenticate() and session.save() called directly in the sync thread, login() through async_to_sync.
"""Alternative 07.3: the login socket as a synchronous WebsocketConsumer.

A sync consumer's handlers run in the sync thread, where the ORM may be
called directly; channels' login() is a coroutine function, so it goes
through async_to_sync, as Channels' docs show for sync consumers. Then the
session is saved, as SessionMiddleware would after an HTTP login.
"""

import json

from asgiref.sync import async_to_sync
from channels.auth import login
from channels.generic.websocket import WebsocketConsumer
from django.contrib.auth import authenticate

from auth_demo.views import handoff_token

SHAPE = 'expected {"username": "...", "password": "..."}'


class LoginConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called for each frame: a login request, or anything else (an error)."""
        try:
            request = json.loads(text_data or "")
            username, password = request["username"], request["password"]
            if not isinstance(username, str) or not isinstance(password, str):
                raise TypeError
            username.encode(), password.encode()  # a lone surrogate ("\ud800") is no text a database takes
        except (ValueError, RecursionError, TypeError, KeyError, UnicodeEncodeError):
            self.send(text_data=json.dumps({"error": SHAPE}))
            return
        user = authenticate(username=username, password=password)
        if user is None:
            self.send(text_data=json.dumps({"error": "invalid username or password"}))
            return
        async_to_sync(login)(self.scope, user)
        self.scope["session"].save()
        key = self.scope["session"].session_key
        self.send(text_data=json.dumps({"username": user.get_username(), "handoff": handoff_token(key)}))
