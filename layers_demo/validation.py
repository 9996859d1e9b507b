"""What a chat frame may hold: the rules every layers_demo chat applies.

The plain, generic and hardened chats (lessons 04 and 05) accept the same
frames, so the rules live here once (db_demo keeps its own twin,
db_demo/validation.py). Consumers call `parse_message()` and turn a ClientError
into an `{"error": ...}` frame for the sender alone.
"""

import json
import re

ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,50}")
MAX_MESSAGE_LENGTH = 4096  # code points
# Refuse oversized frames before parsing them: Daphne accepts up to 1 MiB.
MAX_FRAME_LENGTH = 64 * 1024  # characters


# The reason a chat gives when it closes a socket with 4400 for its room name.
BAD_ROOM = "a room name is 1 to 50 letters, digits, _ or -"


class ClientError(Exception):
    """Bad input from the client: its text is sent back as {"error": text}."""


def is_valid_room(name: str) -> bool:
    """True for 1-50 of A-Z a-z 0-9 _ - (also a valid channel-layer group name)."""
    return ROOM_NAME.fullmatch(name) is not None


def room_group(room: str) -> str:
    """The layer group of ws/chat/<room>/ (lesson 05's chat), which announce sends to too.

    Lesson 04's chats keep to groups of their own: they have no flood limit.
    """
    # Group names may hold ASCII letters, digits, "-", "_" and "." and must be
    # shorter than 100 characters: a valid room name always makes a valid group.
    return f"chat-{room}"


def parse_message(text: str | None) -> str:
    """The chat text in a client frame `{"message": "<text>"}`, or ClientError saying what is wrong."""
    if text is None:
        raise ClientError('expected a text frame holding {"message": "<text>"}, got a binary frame')
    if len(text) > MAX_FRAME_LENGTH:
        raise ClientError(f"frame too large: {len(text)} characters, at most {MAX_FRAME_LENGTH}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep to decode
        raise ClientError('expected JSON like {"message": "<text>"}, got text that is not JSON') from None
    if not isinstance(data, dict):
        raise ClientError(f'expected a JSON object like {{"message": "<text>"}}, got {type(data).__name__}')
    if "message" not in data:
        raise ClientError('expected a "message" key, got none')
    return check_text(data["message"])


def check_text(message: object) -> str:
    """`message` if it is a valid chat text (a frame's, or an announcement's), or ClientError."""
    if not isinstance(message, str):
        raise ClientError(f'expected "message" to be a string, got {type(message).__name__}')
    if not 1 <= len(message) <= MAX_MESSAGE_LENGTH:
        raise ClientError(f'expected "message" of 1 to {MAX_MESSAGE_LENGTH} characters, got {len(message)}')
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        # JSON may spell lone surrogates ("\ud800"); no database or browser can store them.
        raise ClientError('expected "message" to be valid Unicode, got a lone surrogate') from None
    return message
