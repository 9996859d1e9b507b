"""Exercise 00.2 (fix): `daphne` cannot even import this asgi.py.

This is the asgi.py of a small project of your own, serving lesson 08's rooms
(the course's own is lessons/asgi.py; leave that one alone). Started with
`daphne exercises.ex00_2_asgi_order:application`, or by runserver, it
stops before serving anything:

    django.core.exceptions.AppRegistryNotReady: Apps aren't loaded yet.

(django/channels#1564; Channels' deployment docs say why). Each line is
right on its own; fix the file so that a fresh process can import it, with
the same application.

Rules (the check proves each one, and nothing else):

1. A fresh process, with nothing of Django set up and no
   DJANGO_SETTINGS_MODULE, imports the file (as `daphne` does).
2. `application` is a ProtocolTypeRouter for "http" and "websocket", and
   "http" is what get_asgi_application() returned (Django's own handler).
3. "websocket" is AuthMiddlewareStack(URLRouter(websocket_urlpatterns)) with
   lesson 08's room route, and nothing else around it or inside it.
4. A settings module the server names (DJANGO_SETTINGS_MODULE set before it
   starts) is the one used: the file names its own only when none is named.
5. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
