"""What the inspector records of an event: shortened, and with every secret redacted (lesson 16).

The inspector (course/inspector.py) shows a lesson page what the server did
with its connections, so whatever a student types (a password, a token, a
session cookie) passes through here first and comes out redacted, in any shape:
under a key, escaped or not, at any depth; as a [name, value] pair; quoted
inside a string, even cut short; in a frame of any size. A secret's value is
replaced before a long string is cut, so no cut shows its first characters.
Headers keep their names and lose the values that identify anyone (only a
cookie's names show); a subprotocol after "bearer" is a credential (lesson 11).

tests/course/test_inspector_secrets.py and test_inspector_secret_shapes.py send
each shape through a real connection and look for the secret in everything the
inspector stores; test_inspector_escaped_keys.py does so for keys spelt with
percent-escapes and +, which Django and parse_qs decode (?%74oken= is "token").
"""

import json
import re
from typing import Any
from urllib.parse import unquote_plus

PREVIEW = 160  # characters kept of a long string
# Daphne's largest message: every frame it accepts is parsed as JSON to redact by key
# (about 5 ms a MiB); a bigger one (uvicorn takes 16 MiB) is still checked, as text.
PARSE_LIMIT = 1024 * 1024
DEPTH = 4  # deeper dicts and lists show as {…} and […]: nothing past it is shown, so nothing needs redacting
# Searched in lower case: re.I makes a search over a MiB frame fifteen times slower.
SECRET = re.compile(r"pass|token|secret|session|cookie|csrf|authoriz|handoff|api.?key")
REDACTED = "[redacted]"
# \u0070 is JSON's "p", and a quoted fragment may escape its backslash again (\\u0070). Starting
# only at a run's first backslash and never giving one back, a MiB of backslashes is read once.
ESCAPE = re.compile(r"(?<!\\)\\++(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")
# A key in text that is not parsed: "key": or 'key': (JSON, Python's repr), or key= (query
# strings, cookies, form bodies, %-escaped or not). A bare key only starts a word, so a long word is scanned once.
KEY = re.compile(
    r"""(["'])((?:\\.|[^\\"'\n]){1,100}?)\1\s*:\s*"""
    r"""|(?<![\w.\\%+-])((?:[\w.+-]|%[0-9a-fA-F]{2}|\\++[ux][0-9a-fA-F]{2,4}){1,100})\s*=\s*"""
)
# A quoted value runs to its closing quote, or to the end of the text if it was cut short.
QUOTED = {quote: re.compile(rf"{quote}(?:\\.|[^{quote}\\])*{quote}?", re.S) for quote in "\"'"}
BRACKETED = re.compile(r'"(?:\\.|[^"\\])*"?|[\[{]|[\]}]|[^"\[\]{}]+', re.S)  # strings, brackets, the rest
BARE = re.compile(r"""[^\s,;&}\]"']*""")  # a number, or a word up to what ends a value


def shorten(value: Any, depth: int = 0) -> Any:
    """A copy of an event or message that is small and holds no secret."""
    if isinstance(value, dict):
        return shorten_dict(value, depth)
    if isinstance(value, list | tuple):
        return shorten_list(value, depth)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        # Redact first, then cut: a cut through a secret would show its first characters.
        shown = redact_fragments(value)
        return shown if len(shown) <= PREVIEW else f"{shown[:PREVIEW]}… ({len(value)} characters)"
    if value is None or isinstance(value, bool | int | float):
        return value
    return repr(value)[:PREVIEW]


def shorten_dict(value: dict, depth: int) -> dict | str:
    """A dict with each secret key's value redacted, whatever that value is."""
    if depth > DEPTH:
        return "{…}"
    # A form field as browsers serialise it, {"name": "password", "value": ...}: the name says what the value is.
    field = isinstance(value.get("name"), str) and secret_name(value["name"])
    return {
        str(key): REDACTED if secret_name(str(key)) or (field and key == "value") else shorten(item, depth + 1)
        for key, item in list(value.items())[:30]
    }


def shorten_list(value: list | tuple, depth: int) -> list | str:
    """A list, cut at 20 items; a [name, value] pair (a header list, a parsed query) shown as that header would be."""
    if depth > DEPTH:
        return "[…]"
    if len(value) == 2 and isinstance(value[0], str):
        name, item = value
        if isinstance(item, str):
            return [shorten(name), header_value(name.lower(), item)]
        if secret_name(name):
            return [shorten(name), REDACTED]
    return [shorten(item, depth + 1) for item in value[:20]] + (["…"] if len(value) > 20 else [])


def secret_name(name: str) -> bool:
    """Whether a key, header or parameter name says its value is a secret, read with its escapes decoded:
    JSON's \\u0070, and a query string's or form body's %70 and + as Django and parse_qs decode them."""
    text = unescape(name)
    if SECRET.search(text.lower()):
        return True
    # ?%74oken=... is Django's request.GET["token"]: matched as the application reads it, not as sent.
    return ("%" in text or "+" in text) and SECRET.search(unquote_plus(text).lower()) is not None


def unescape(text: str) -> str:
    """`text` with \\u0070 and \\x70 escapes (however often their backslash was escaped) decoded, for matching only."""
    return ESCAPE.sub(lambda match: chr(int(match.group(1) or match.group(2), 16)), text)


def redact_fragments(text: str) -> str:
    """`text` with the value after each secret key replaced, in fragments of JSON, repr() or a query string.

    An error that quotes the frame it could not parse ('{"password": "hunter2') keeps
    its words and loses only the value, even cut short before its closing quote.
    """
    if not secret_name(text):
        return text  # most strings: one search, nothing copied
    pieces, position = [], 0
    while match := KEY.search(text, position):
        key = match.group(2) if match.group(1) else match.group(3)
        pieces.append(text[position : match.end()])
        position = match.end()
        if secret_name(key):
            opener, position = text[position : position + 1], value_end(text, position)
            pieces.append(f"{opener}{REDACTED}{opener}" if opener in ("'", '"') else REDACTED)
    return "".join(pieces) + text[position:]


def value_end(text: str, start: int) -> int:
    """Where the value that starts at `start` ends; the end of the text when it is cut short."""
    opener = text[start : start + 1]
    if opener in QUOTED:
        return QUOTED[opener].match(text, start).end()
    if opener in ("{", "["):
        depth = 0
        for token in BRACKETED.finditer(text, start):
            depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(token.group()[0], 0)
            if depth == 0:
                return token.end()
        return len(text)
    return BARE.match(text, start).end()


def shorten_text(text: str) -> str:
    """A text frame: JSON redacted key by key; other text dropped if it might hold a secret."""
    if len(text) <= PARSE_LIMIT and text[:1] in ("{", "["):
        try:
            return json.dumps(shorten(json.loads(text)), ensure_ascii=False)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep to decode
            pass
    # All of it is searched, escapes decoded: what is cut from the preview may be a secret's key.
    return "[redacted: this text may hold a secret]" if secret_name(text) else shorten(text)


def describe(event: dict) -> dict:
    """An ASGI event as recorded: text and bodies shortened, headers without values that identify anyone."""
    described = shorten({key: value for key, value in event.items() if key not in {"text", "body", "headers"}})
    if event.get("text") is not None:
        described["text"] = shorten_text(event["text"])
    if event.get("bytes") is not None:
        described["bytes"] = f"<{len(event['bytes'])} bytes>"
    if "body" in event:
        body = event["body"]
        described["body"] = (
            shorten_text(body.decode("utf-8", "replace")) if len(body) < PREVIEW else f"<{len(body)} bytes>"
        )
    if "headers" in event:
        described["headers"] = headers(event["headers"])
    return described


def subprotocols(offered: list) -> list[str]:
    """Subprotocol names as offered, except what may be a credential (lesson 11 sends a token as one)."""
    shown, after_bearer = [], False
    for name in (str(item).strip() for item in offered[:10]):
        secret = after_bearer or len(name) > 32 or secret_name(name)
        shown.append(REDACTED if secret else name)
        after_bearer = name.lower() == "bearer"
    return shown


def headers(raw: list) -> dict[str, str]:
    """Header names with their values, except cookies and credentials: only the cookie names show."""
    shown = {}
    for name, value in raw[:40]:
        name = name.decode("latin-1").lower()
        shown[name] = header_value(name, value.decode("latin-1"))
    return shown


def header_value(name: str, value: str) -> str:
    """One header's value as shown, `name` in lower case; the scope's headers and a frame's header list alike."""
    if name in {"cookie", "set-cookie"}:
        return f"{cookie_names(name, value)} ({REDACTED} values)"
    if secret_name(name):
        return REDACTED
    if name == "sec-websocket-protocol":
        return ", ".join(subprotocols(value.split(",")))
    return shorten(value)


def cookie_names(name: str, value: str) -> str:
    """The names in a Cookie header, or the first Set-Cookie's: a part without "=" is a value (Django reads it so)."""
    parts = value.split(";") if name == "cookie" else value.split("\n")[:1]
    return ", ".join(part.split("=", 1)[0].strip() if "=" in part else "(no name)" for part in parts[:20])
