"""Check 12.1: replay the posts a reconnecting client missed.

The task's rules, in its order: 1. the posts after since arrive as saved, oldest first (id order); 2. at most the
100 newest, more than 100 saved after since; 3. each socket for its own since; 4. since at the last id or past it
replays nothing, among other parameters too; 5. a bad since is closed 4400 and nothing follows; 6. the ORM off the
loop; 7. a client's frame gets an error, on its own socket (the battery); 8. DJANGO_ALLOW_ASYNC_UNSAFE stays unset.
"""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from db_demo.models import Post
from exercises.probes import AS_SENT, answer, close_all, connect, never_blocks, next_frames, nothing_after_close
from exercises.probes import nothing_more, orm_where_it_belongs, proved, queries_by_thread
from .probes import closed_with_4400, ids, opened, past_every_id, replayed

EXERCISE, CONSUMER = "12.1", "ReplaySinceConsumer"
RULE = "ReplaySinceConsumer replays the posts with an id after ?since=<id>, the 100 newest at most, oldest first"
CAP = 100  # lesson 12's liveblog replays at most the newest 100


@pytest.mark.rule(1, 3, 6)
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
    replayed(got_late, posts[2:], since=posts[1].id, late=posts[3])
    everything = [{"post": post.as_frame()} for post in posts]
    assert got_early == everything, (
        "each socket replays for its own since (keep nothing on the class or the module): a second socket, opened "
        f"with since=0 while the first was open, got the posts {ids(got_early)} where all four, {ids(everything)}, "
        "were due"
    )
    for communicator in (late, early):
        assert await nothing_more(communicator), "a post at or before since was sent too: replay only id > since"
    await close_all(late, early)


@pytest.mark.rule(2)
@pytest.mark.django_db(transaction=True)
async def test_at_most_the_100_newest_posts_after_since_come(app):
    await Post.objects.abulk_create([Post(title=f"p{n}", body=f"post {n}") for n in range(CAP + 30)])
    saved = [post async for post in Post.objects.order_by("id")]
    # Posts after since: one under the cap, the cap, one over it, all 130 (since=0); each a socket of its own.
    for after in (CAP - 1, CAP, CAP + 1, len(saved)):
        since = saved[-after - 1].id if after < len(saved) else 0
        due = [{"post": post.as_frame()} for post in saved[-min(after, CAP) :]]
        communicator = await connect(app, f"/?since={since}")
        got = await next_frames(communicator, len(due))
        more = not await nothing_more(communicator, 0.15)  # a replay without a cap sends its 101st at once
        await close_all(communicator)
        shown = f"ids {ids(got)[0]} to {ids(got)[-1]}, {len(got)} frames" if got else "nothing"
        assert got == due and not more, (
            f"{after} posts saved after since={since}: at most {CAP} come, the {len(due)} with the highest ids, "
            f"{ids(due)[0]} to {ids(due)[-1]}, oldest first; got {shown}{', and more after them' * more}. Lesson "
            f"12's replay takes the newest {CAP} (order_by('-id')[:{CAP}]) and turns them round: a client away "
            "longer reloads the page"
        )
    proved("boundaries", 4)


@pytest.mark.rule(4)
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
    await close_all(await past_every_id(app))
    proved("boundaries", 4)


# Every since that is not one non-negative integer, and what a wrong parse does with it, in the order they are sent.
BAD_SINCE = ["", "since=", "since=-1", "since=1.5", "since=1e3", "since=one", "since=+1"]  # none, or no whole number
BAD_SINCE += ["since=%201"]  # " 1": int() strips the space, a cursor has none
BAD_SINCE += ["since=%C2%B2", "since=%D9%A1"]  # "²": str.isdigit() says yes, int() raises; "١": int() reads it as 1
BAD_SINCE += [
    "since=1&since=2",
    "since=1&since=",
]  # two cursors; parse_qs drops an empty value unless keep_blank_values
BAD_SINCE += ["since=1_000"]  # int() reads it as 1000
BAD_SINCE += ["since=1%0A"]  # "1\n": a pattern's $ also matches before a final newline (re.fullmatch does not)
BAD_SINCE += [b"since=\xff"]  # raw bytes, no UTF-8: a query string is bytes as the client sent them (decode as latin-1)


@pytest.mark.rule(5)
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
        await communicator.send_to(text_data="sent before the close reached the client")  # a frame on its way
        await nothing_after_close(communicator, 0.1)
        await close_all(communicator)
    proved("boundaries", len(BAD_SINCE))


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
