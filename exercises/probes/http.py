"""HTTP requests as a server drives them: event by event, a body in as many parts as it comes."""

from asgiref.testing import ApplicationCommunicator

DAPHNE_PART = 8192  # Daphne reads a request body 8192 bytes at a time, one http.request event each


def as_daphne_hands_it(body: bytes) -> list[bytes]:
    """The parts Daphne sends: 8192 bytes each, and an empty last part when the body fills the last one exactly."""
    parts = [body[i : i + DAPHNE_PART] for i in range(0, len(body), DAPHNE_PART)]
    return parts + [b""] if not parts or len(parts[-1]) == DAPHNE_PART else parts


def http_request(application, method: str = "GET", query: bytes = b"", headers: tuple = ()) -> ApplicationCommunicator:
    """A request to `application` at "/", driven event by event as Daphne drives it (no event sent yet)."""
    scope = {"type": "http", "http_version": "1.1", "method": method, "path": "/", "query_string": query}
    return ApplicationCommunicator(application, {**scope, "headers": list(headers)})


async def send_parts(communicator, parts: list[bytes]) -> None:
    """Send the body in `parts`, one http.request event each, "more_body" true on all but the last."""
    for number, part in enumerate(parts, 1):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": number < len(parts)})
