"""A crash of the student's code told in a sentence: the rule it breaks, and the line of their file it came from."""

import linecache
import traceback

from exercises.targets import CHECKED_FILES


def crashed(error: BaseException, http: bool = False) -> str:
    """A sentence for an exception that escaped the student's code, naming the rule it breaks, and where it was raised.

    With `http` the consumer serves an HTTP request: Daphne answers its crash with a 500, not a 1011.
    """
    return the_rule_it_breaks(error, http) + raised_where(error)


def raised_where(error: BaseException) -> str:
    """Where in the student's own file `error` was raised (its last line there), for a sentence; "" if not there.

    A check fails with its own sentence (pytest.fail(..., pytrace=False)), which shows no traceback: the
    line of the student's file is told here instead, or a student is told what broke and never where.
    """
    place = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename in CHECKED_FILES:
            place = (frame.f_code.co_filename, line)
    if place is None:
        return ""
    code = linecache.getline(*place).strip()
    return f" (raised at line {place[1]} of your file{f': {code}' if code else ''})"


def the_rule_it_breaks(error: BaseException, http: bool) -> str:
    """crashed()'s sentence, without the place."""
    name = type(error).__name__
    text = f"your code raised {name}: {str(error).rstrip('.')}".rstrip(": ")
    if name == "SynchronousOnlyOperation":
        return f"{text}; the ORM is synchronous: query inside a database_sync_to_async function, list() included"
    if isinstance(error, TypeError) and "await" in str(error):
        return f"{text}; an AsyncConsumer's handlers must be `async def`, and every send awaited"
    if "AsyncToSync" in str(error) or "loop is already running" in str(error):
        return f"{text}; in async code, await the coroutine itself: async_to_sync is for synchronous callers only"
    if isinstance(error, ValueError) and str(error) == "No handler for message type websocket.receive":
        return (
            f"{text}; any client may send a frame, even to a socket whose consumer only sends: write "
            'websocket_receive, and answer {"error": ...}'
        )
    if isinstance(error, ValueError) and str(error).startswith("No handler for message type"):
        return f'{text}; a message\'s "type" names its handler: "chat.message" calls chat_message()'
    if "redis" in type(error).__module__:
        if name in ("ConnectionError", "TimeoutError"):  # redis-py's own classes, not the built-ins of that name
            text = (
                f"your code raised redis.exceptions.{name}: {str(error).rstrip('.')}, which is not Python's built-in "
                f"{name}: an `except {name}` that names the built-in misses it; catch redis.exceptions.RedisError"
            )
        return (
            f"{text}; when Redis fails, answer as the exercise asks (a channel layer's failure: close the socket "
            "with 4503, lesson 05), do not crash it (1011)"
        )
    if http:
        return (
            f"{text}; a consumer must not crash (Daphne then answers 500 and logs the traceback): bad input gets "
            "the answer the exercise says, a 4xx with its reason"
        )
    return (
        f"{text}; a consumer must not crash (that closes the socket with 1011): "
        'bad input gets what the exercise says, an {"error": ...} frame or a close code'
    )


def serves_http(communicator) -> bool:
    """True if `communicator` drives an HTTP consumer (its scope's type), whose crash is a 500, not a 1011."""
    return getattr(communicator, "scope", {}).get("type") == "http"
