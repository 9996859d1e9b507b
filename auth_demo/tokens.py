"""Signed login tokens for clients that cannot send the session cookie (lesson 11).

A token is the user's primary key signed with SECRET_KEY and a timestamp
(django.core.signing, with a salt of its own so no other signed value of this
site can pass for one). It says "the holder is this user" for MAX_AGE seconds;
whoever holds it is that user, so the course's route takes it in a message
body, never in a URL that an access log writes down.
"""

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.core import signing

SALT = "auth_demo.tokens"
MAX_AGE = 300  # seconds: five minutes, long enough to connect, short enough to leak little


def signer() -> signing.TimestampSigner:
    # "." between the parts, not signing's default ":": the token is then only
    # letters, digits, "-", "_" and ".", so it also fits where ":" may not go,
    # such as a Sec-WebSocket-Protocol value (a browser's WebSocket() refuses one).
    return signing.TimestampSigner(salt=SALT, sep=".")


def sign_user_id(user_id: int) -> str:
    """A token naming the user with this primary key, valid for MAX_AGE seconds."""
    return signer().sign_object({"user": user_id})


def issue_token(user) -> str:
    """A token naming `user`, valid for MAX_AGE seconds."""
    return sign_user_id(user.pk)


def user_id_from_token(token: object, max_age: float = MAX_AGE) -> int | None:
    """The user id a valid token names; None for a forged, expired, malformed or non-string token."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        return None
    try:
        data = signer().unsign_object(token, max_age=max_age)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        # SignatureExpired is a BadSignature: an old token is as good as a forged one.
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None


@database_sync_to_async
def active_user(user_id: int):
    """The active user with this id, or None (deleted or deactivated since the token was issued)."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


async def user_for_token(token: object):
    """The active user a valid token names, or None: every check a token must pass, in one place."""
    user_id = user_id_from_token(token)
    return await active_user(user_id) if user_id is not None else None
