"""Signed login tokens for clients that cannot send the session cookie (lesson 11).

A token is the user's primary key signed with SECRET_KEY and a timestamp
(django.core.signing, with a salt of its own so no other signed value of this
site can pass for one). It says "the holder is this user" for MAX_AGE seconds;
whoever holds it is that user, so it travels in a message body, never in a URL
that an access log writes down.
"""

from django.core import signing

SALT = "auth_demo.tokens"
MAX_AGE = 300  # seconds: five minutes, long enough to connect, short enough to leak little


def issue_token(user) -> str:
    """A token naming `user`, valid for MAX_AGE seconds."""
    return signing.dumps({"user": user.pk}, salt=SALT, compress=True)


def user_id_from_token(token: object, max_age: float = MAX_AGE) -> int | None:
    """The user id a valid token names; None for a forged, expired, malformed or non-string token."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        # SignatureExpired is a BadSignature: an old token is as good as a forged one.
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None
