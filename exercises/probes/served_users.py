"""Who is at the door (checks 07.1, 07.2): sockets whose scope["user"] is served as AuthMiddlewareStack serves it.

AuthMiddlewareStack never puts the user itself in the scope: it puts a lazy object wrapping a user loaded from the
database (so with a primary key), or an AnonymousUser. A check that handed the consumer a bare User would pass a
consumer that asks `type(user) is AnonymousUser`, which is never true behind the real middleware. So these sockets
carry the lazy object, and the checks judge the close codes a refusal ends with.
"""

from channels.auth import UserLazyObject
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from exercises.probes.communicators import close_all
from harness.patience import FRAME


def closed_with(got, code: int) -> bool:
    """A close with `code`; a "reason" beside it is the client's news too, and allowed."""
    return isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == code


def as_served(user) -> UserLazyObject:
    """`user` as AuthMiddlewareStack puts it in scope["user"]: a lazy object wrapping it, never the user itself."""
    lazy = UserLazyObject()
    lazy._wrapped = user
    return lazy


def socket_for(app, user) -> WebsocketCommunicator:
    """A socket whose scope["user"] is `user` as AuthMiddlewareStack serves it: lazy, and loaded from the database."""
    communicator = WebsocketCommunicator(app, "/")
    communicator.scope["user"] = as_served(user)
    return communicator


async def warmed_up(app, user: User):
    """`app`, after one socket of `user`'s (let in) has come and gone: what a process does once stays out of the
    timing the checks measure with never_blocks()."""
    communicator = socket_for(app, user)
    await communicator.connect(timeout=FRAME)
    await close_all(communicator)
    return app
