"""Check 12.1: replay the posts a reconnecting client missed.

The posts after since arrive as saved, oldest first (id order), each socket for its own since, with the ORM off
the loop; since at the last id or past it replays nothing, among other parameters too; a bad since is closed 4400
and nothing follows.
"""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from channels.testing import WebsocketCommunicator

from db_demo.models import Post
from exercises.probes import FRAME, answer, close_all, connect, crashed, never_blocks, next_frames, nothing_after_close
from exercises.probes import AS_SENT, nothing_more, orm_where_it_belongs, proved, queries_by_thread

EXERCISE, CONSUMER = "12.1", "ReplaySinceConsumer"
RULE = "ReplaySinceConsumer replays every post with an id after ?since=<id>, oldest first, then nothing more"

# Every since that is not one non-negative integer, and what a wrong parse does with it.
BAD_SINCE = [
    "",  # no since at all
    "since=",
    "since=-1",
    "since=1.5",
    "since=1e3",
    "since=one",
    "since=+1",
    "since=%201",  # " 1": int() strips the space, a cursor has none
    "since=%C2%B2",  # "²": str.isdigit() says yes, int() raises
    "since=%D9%A1",  # "١" (Arabic-Indic one): int() reads it as 1
    "since=1&since=2",  # two cursors: which one?
    "since=1&since=",  # two, one empty: parse_qs drops the empty one unless keep_blank_values=True
    "since=1_000",  # int() reads it as 1000
    "since=1%0A",  # "1\n": a pattern's $ also matches before a final newline (re.fullmatch does not)
    b"since=\xff",  # raw bytes, no UTF-8: a query string is bytes as the client sent them (decode it as latin-1)
]


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


@pytest.mark.django_db(transaction=True)
async def test_the_posts_after_since_arrive_oldest_first(app):
    posts = [await Post.objects.acreate(title=f"t{n} {AS_SENT}", body=AS_SENT) for n in range(4)]
    # The last post saved by another server process, its clock a second behind: `created` is that clock's time.
    await Post.objects.filter(id=posts[3].id).aupdate(created=posts[2].created - timedelta(seconds=1))
    warm = await connect(app, f"/?since={posts[-1].id}")  # first-call costs
    await close_all(warm)
    with queries_by_thread() as ran:
        await Post.objects.acount()  # the check's own query, on Django's sync thread: yours go there too
        async with never_blocks(0.5):  # a loaded machine stalls 100-200 ms by itself; a blocking query stalls longer
            late = await connect(app, f"/?since={posts[1].id}")
            early = await connect(app, "/?since=0")
            proved("sockets", 2)
            got_late, got_early = await next_frames(late, 2), await next_frames(early, 4)
    orm_where_it_belongs(ran, "Query the posts inside a database_sync_to_async function")
    expected = [{"post": post.as_frame()} for post in posts[2:]]
    by_id = (
        f"; oldest first means in id order: since is an id, and the client's next since is the last id it got; post {posts[3].id} was "
        "saved by another server process whose clock is a second behind, so its `created` is the earlier one"
        if sorted(map(str, got_late)) == sorted(map(str, expected))
        else ""
    )
    assert ids(got_late) != ids(expected) or got_late == expected, (
        f"the posts after since={posts[1].id} came in order, but not as they were saved: expected {expected}, got "
        f"{got_late}; a post is sent as saved (post.as_frame()), its spaces, <, & and emoji too: the page escapes it"
    )
    assert got_late == expected, (
        f"expected the posts after since={posts[1].id}, oldest first: {expected}, got {got_late}; "
        f"a replay comes oldest first, so the client applies it in order{by_id}"
    )
    everything = [{"post": post.as_frame()} for post in posts]
    assert got_early == everything, (
        "each socket replays for its own since (keep nothing on the class or the module): a second socket, opened "
        f"with since=0 while the first was open, got the posts {ids(got_early)} where all four, {ids(everything)}, "
        "were due"
    )
    for communicator in (late, early):
        assert await nothing_more(communicator), "a post at or before since was sent too: replay only id > since"
    await close_all(late, early)


@pytest.mark.django_db(transaction=True)
async def test_since_at_the_last_id_or_past_it_replays_nothing(app):
    first, last = [await Post.objects.acreate(title=f"t{n}", body="b") for n in range(2)]
    # Other parameters beside since, before and after it (a cache buster, a tab): since is one parameter of them.
    queries = [f"since={first.id}", f"since={last.id}", f"since={last.id + 1}", f"v=2&since={first.id}&tab=news"]
    for query, expected in zip(queries, ([last], [], [], [last]), strict=True):
        since = parse_qs(query)["since"][0]
        communicator = await connect(app, f"/?{query}")
        got = await next_frames(communicator, len(expected))
        assert got == [{"post": post.as_frame()} for post in expected], (
            f"?{query} with posts {first.id} and {last.id} saved: expected {[p.id for p in expected]}, got {got}"
            + (
                "; since is one parameter among others: read it with parse_qs, wherever it stands"
                if "&" in query
                else ""
            )
        )
        assert await nothing_more(communicator, 0.15), (
            f"since={since} is the last id the client saw (posts {first.id} and {last.id} saved): "
            "the post with id since, or any before it, must not come again: only id > since"
        )
        await close_all(communicator)
    # Digits enough to pass every id (int() raises ValueError past 4300): nothing to replay, or a 4400, never a crash.
    communicator = await connect(app, f"/?since={'9' * 5000}")
    quiet = await nothing_more(communicator, 0.3)
    if communicator.future.done() and not communicator.future.cancelled() and communicator.future.exception():
        pytest.fail(f"since=999...9 (5000 digits): {crashed(communicator.future.exception())}", pytrace=False)
    if not quiet:
        got = await answer(communicator)
        assert closed_with_4400(got), (
            f"since=999...9 (5000 digits) is past every id: expected nothing to replay (or a close with 4400), got {got}"
        )
    await close_all(communicator)
    proved("boundaries", 4)


@pytest.mark.django_db(transaction=True)  # a wrong solution may query before it checks since
async def test_a_bad_since_is_closed_4400_and_nothing_follows(app):
    await Post.objects.acreate(title="saved", body="b")  # a consumer that closes but carries on would send it
    for query in BAD_SINCE:
        communicator = await opened(app, query)
        got = await answer(communicator)
        shown = query.decode("latin-1") if isinstance(query, bytes) else query
        twice = " (since is given twice here: parse_qs drops an empty value unless keep_blank_values=True)"
        assert closed_with_4400(got), (
            f"?{shown}: since must be one non-negative integer of ASCII digits, else close with 4400 "
            f"after the accept; got {got}{twice if shown.count('since=') > 1 else ''}"
        )
        await nothing_after_close(communicator, 0.1)
        await close_all(communicator)
    proved("boundaries", len(BAD_SINCE))
