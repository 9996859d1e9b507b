"""Exercise 00.2 (fix): `daphne` cannot even import this asgi.py.

This is the asgi.py of a small project of your own, serving lesson 08's rooms
(the course's own is lessons/asgi.py; leave that one alone). Started with
`daphne exercises.ex00_2_asgi_order:application`, or by runserver, it
stops before serving anything:

    django.core.exceptions.AppRegistryNotReady: Apps aren't loaded yet.

(django/channels#1564; Channels' deployment docs say why). Each line is
right on its own; fix the file so that a fresh process can import it, with
the same application.

Edit this file, then check it:

    python manage.py exercise 00.2

The check is exercises/00_2_asgi_order/check.py; once you have tried,
`python manage.py exercise 00.2 --solution` shows where the solution is.
"""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")

# TODO: what must have happened before this import runs?
from db_demo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
