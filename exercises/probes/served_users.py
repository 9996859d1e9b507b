"""Who is at the door (checks 07.1, 07.2): sockets whose scope["user"] is served as AuthMiddlewareStack serves it.

AuthMiddlewareStack never puts the user itself in the scope: it puts a lazy object wrapping a user loaded from the
database (so with a primary key), or an AnonymousUser. A check that handed the consumer a bare User would pass a
consumer that asks `type(user) is AnonymousUser`, which is never true behind the real middleware. So these sockets
carry the lazy object, and the checks judge the close codes a refusal ends with. Beside it they carry what the rest of
the stack always puts there: scope["cookies"] and scope["session"] (the user's own session, logged in, for a user
with a primary key; an empty one for an anonymous visitor), so a consumer that reads them finds them, as it would
behind the real AuthMiddlewareStack.
"""

from importlib import import_module

from channels.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, UserLazyObject
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.functional import LazyObject

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


def session_of(user) -> LazyObject:
    """The session SessionMiddleware puts in scope (a lazy object) for `user`: logged in if it has a primary key.

    Its data is already loaded, as once AuthMiddleware has read it: nothing here touches the database.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store._session_cache = {}
    if getattr(user, "pk", None) is not None:
        store._session_key = f"session-of-user-{user.pk}"
        store._session_cache = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    lazy = LazyObject()
    lazy._wrapped = store
    return lazy


def socket_for(app, user) -> WebsocketCommunicator:
    """A socket whose scope holds what AuthMiddlewareStack puts there: cookies, the session and `user`, lazy."""
    communicator = WebsocketCommunicator(app, "/")
    session = session_of(user)
    communicator.scope["cookies"] = {settings.SESSION_COOKIE_NAME: session.session_key} if session.session_key else {}
    communicator.scope["session"] = session
    communicator.scope["user"] = as_served(user)
    return communicator


async def warmed_up(app, user: User):
    """`app`, after one socket of `user`'s (let in) has come and gone: what a process does once stays out of the
    timing the checks measure with never_blocks()."""
    communicator = socket_for(app, user)
    await communicator.connect(timeout=FRAME)
    await close_all(communicator)
    return app
