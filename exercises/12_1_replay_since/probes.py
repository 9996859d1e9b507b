"""A replay since a cursor (check 12.1): the posts a reconnecting client missed, judged as the client applies them.

The client's cursor is the last id it got: a replay must come in id order, each post as saved, and a cursor
that is no cursor is closed with 4400. These probes open sockets with a query as a client sends it (raw bytes
too) and say in a sentence which of those a replay broke.
"""

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes.communicators import connect
from exercises.probes.waits import FRAME, answer, crashed, nothing_more


def ids(frames: list) -> list:
    """The post ids of replayed frames, in order (a frame that is no post shows as itself)."""
    return [f["post"]["id"] if isinstance(f, dict) and isinstance(f.get("post"), dict) else f for f in frames]


async def opened(application, query: str | bytes):
    """A socket opened with ?<query>; bytes go into the scope as they are, as a client that sends them raw."""
    if isinstance(query, str):
        return await connect(application, f"/?{query}")
    communicator = WebsocketCommunicator(application, "/")
    communicator.scope["query_string"] = query  # the application has not started yet: in time
    try:
        connected, code = await communicator.connect(timeout=FRAME)
    except Exception as error:  # the student's consumer raised, or never answered
        pytest.fail(f"?{query.decode('latin-1')}: {crashed(error)}", pytrace=False)
    assert connected, f"expected the socket to be accepted, then closed with 4400, but it was refused (code {code})"
    return communicator


def closed_with_4400(got: object) -> bool:
    """A close with code 4400; a "reason" beside it (ASGI 2.3, Daphne sends it) is fine, and None leaves it out."""
    return isinstance(got, dict) and {key: got.get(key) for key in ("type", "code")} == {
        "type": "websocket.close",
        "code": 4400,
    }


def replayed(got: list, posts: list, since: int, late) -> None:
    """`got` is `posts` as saved (post.as_frame()), oldest first: in id order, though `late` was saved by a clock
    a second behind, so its `created` is the earlier one."""
    expected = [{"post": post.as_frame()} for post in posts]
    by_id = (
        f"; oldest first means in id order: since is an id, and the client's next since is the last id it got; post "
        f"{late.id} was saved by another server process whose clock is a second behind, so its `created` is the "
        "earlier one"
        if sorted(map(str, got)) == sorted(map(str, expected))
        else ""
    )
    assert ids(got) != ids(expected) or got == expected, (
        f"the posts after since={since} came in order, but not as they were saved: expected {expected}, got "
        f"{got}; a post is sent as saved (post.as_frame()), its spaces, <, & and emoji too: the page escapes it"
    )
    assert got == expected, (
        f"expected the posts after since={since}, oldest first: {expected}, got {got}; "
        f"a replay comes oldest first, so the client applies it in order{by_id}"
    )


async def past_every_id(application) -> WebsocketCommunicator:
    """since=999...9, 5000 digits, past every id (int() raises ValueError past 4300): nothing, or a 4400, no crash."""
    communicator = await connect(application, f"/?since={'9' * 5000}")
    quiet = await nothing_more(communicator, 0.3)
    if communicator.future.done() and not communicator.future.cancelled() and communicator.future.exception():
        pytest.fail(f"since=999...9 (5000 digits): {crashed(communicator.future.exception())}", pytrace=False)
    if not quiet:
        got = await answer(communicator)
        assert closed_with_4400(got), (
            f"since=999...9 (5000 digits) is past every id: expected nothing to replay (or a close with 4400), got {got}"
        )
    return communicator
