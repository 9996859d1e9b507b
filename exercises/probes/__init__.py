"""What every check imports: the module under check, and small probes that say what went wrong in a sentence.

Each check drives `target("NN.K")`: the student's file in the exercise's
folder, the reference solution (meta/solution.py) when EXERCISE_TARGET=solution,
or any other file the kit names (EXERCISE_TARGET="NN.K=/path/to/file.py,...":
a classic mistake applied to the solution). Assertion messages are written for
a student: what was expected, what arrived, and the rule a wrong answer breaks.

Nothing here imports the course: a check stands on Channels, Django, this package, exercises/targets.py
(which file a check drives, shared with the kit without pytest) and harness/patience.py (how long to wait).

Each module holds one concern. The probes many checks share are re-exported here, so a check writes
`from exercises.probes import X`; a module written for one lesson's checks (rooms.py for 04.3-04.5, saving.py
for 07.3 and 08.x, ...) is imported by its own name, so a reader sees which checks lean on it. Either way the
machinery lives here and a check keeps its scenarios: on one screen (STYLE 28).
Each probe also notes what it proved (proved()), so a pass can say what it means:
"passed: 5 behaviours, 2 sockets at once, 41 bad frames, cancellation, no blocking".

The modules, by what they drive (a check names a lesson's own ones, e.g. 04.3's rooms.py, by their name; a probe
only one check runs lives in that exercise's folder, as probes.py):

Sockets, frames and what comes back
    communicators.py      sockets a check opens and ends: accepted, from an address, side by side, cancelled
    waits.py              what the consumer sends next, read without waiting out a timer
    crashes.py            a crash of the student's code told as the rule it breaks, and the line it came from
    frames.py             frames a consumer must refuse, and a message it must pass on unchanged
    json_frames.py        frames sent one at a time: a bad one refused on its own socket, each sent in its handler
    closing.py            frames a client sent before it saw the server's close: none is answered
    endings.py            what every consumer of a kind keeps: leaves its groups, ends cancelled, tells a failure
    joining.py            a socket in its group the moment it is accepted
    served.py             a consumer run as a server runs it, with no communicator
    quiet.py              whether anything in this process can still act: then a frame not come never will
    together.py           consumers started at the same moment, kept in step
    unawaited.py          a coroutine never awaited, told in the test's own sentence
    loop.py               the event loop watched: a stall or a time.sleep in your code, naming your line
    schedstat.py          how long a thread waited for a core, so a busy machine's time is given back
    clocks.py             a websockets peer on a clock of the check's own, for a client the student writes
    http.py               HTTP requests as a server drives them: event by event, a body in parts
Channel layers, the database, the cache, settings
    layers.py             channel layers as production has them: slow round trips, a loop of their own
    outages.py            the channel layer as Redis makes it fail: down, or refusing what msgpack cannot write
    layer_limits.py       a layer at its limits: failing as Redis fails (05.2), full (05.4)
    settings.py           a channel layer setting as each server process reads it
    redis_settings.py     the Redis layer a setting builds, seen from outside the process (05.3, 05.5)
    stores.py             Django's cache and database as production has them: down, slow, on the right thread
    saving.py             a message or a session saved, then told (07.3, 08.2, 08.3)
    workers.py            the Tasks framework's worker, run in this process as `db_worker --batch` runs it
    throttles.py          what a site does when what it leans on fails or is leaned on too hard
    written.py            what the server wrote where people read it: its log records and its output
    loading.py            the module under check, imported as the check or a new server imports it; proved()
One lesson's checks (the exercise numbers in each module's docstring)
    asgi_setup.py         00.2, 00.3: the project's ASGI application, imported as a server imports it
    sync_consumers.py     01.2, 01.4: raw SyncConsumers, and one that ends itself
    sync_and_async.py     02.1, 02.3: blocking code met from async code
    rooms.py              04.3-04.5: a socket greeted in its room, the group it is in, who left
    floods.py             05.1, 16.3: bursts answered, new addresses, the wall clock back
    outside_consumers.py  06.1-06.3: the layer between sync and async code, and a worker's channels
    served_users.py       07.1, 07.2: sockets whose scope["user"] is served as AuthMiddlewareStack serves it
    your_tests.py         09.1, 09.3: a student's test, run on consumers the check made
    http_tokens.py        10.1-10.3, 11.2: an HTTP response read as a client reads it; a token middleware's scope
    tokens_and_middleware.py  11.1, 11.3: a token in the first frame; a middleware seen from what it wraps
    tickers.py            12.2, 12.3: each post shown once; the group left however a consumer ends
    proxies.py            13.1, 13.3: what stands in front of Daphne: nginx, Django's host checks
    workshop_room.py      14.1, 17.1: who is online, as a new socket hears it
    logins.py             16.1, 16.2: a socket login tried once or many at once, and a throttled answer
    report_room.py        17.2: a real websockets server whose answers the check holds
    background_tasks.py   18.1, 18.2: tasks started from a socket within a budget, told to their pages when done
"""

# ruff: noqa: F401 (what a check imports from here)
from exercises.probes.clocks import Clock, ClockedSocket, Peer, on_the_clock, serving
from exercises.probes.communicators import (
    PROXY_HEADERS,
    accepted,
    asks_for_more,
    cancelled,
    close_all,
    connect,
    connect_from,
    ends_on_disconnect,
    errors_in,
    member_of,
    members,
    messages_in,
    queued,
    running_tasks,
    say,
    sockets,
    tasks_left,
    warm_up,
)
from exercises.probes.crashes import crashed
from exercises.probes.endings import (
    CountedSends,
    ended_cancelled,
    ends_cancelled,
    ends_when_the_client_leaves,
    failure_not_swallowed,
    failure_told_truly,
    generic_base,
    heard,
    leaves_however_it_ends,
    leaves_when_the_server_send_fails,
    your_test_fails_and_ends_its_sockets,
)
from exercises.probes.frames import (
    AS_SENT,
    bad_frames,
    drain,
    examples,
    hears,
    is_error,
    json_values,
    login_bad_frames,
    next_frames,
    overheard,
    passed_on_unchanged,
    refused_with_error,
    tally,
    told_on_its_frame,
)
from exercises.probes.http import DAPHNE_PART, as_daphne_hands_it, http_request, send_parts
from exercises.probes.joining import in_its_group_once_open
from exercises.probes.layers import (
    BroadcastsAwaited,
    LoopWatchingLayer,
    RoundTripLayer,
    broadcasts_awaited,
    owned,
    slow_broadcasts,
    uneven_broadcasts,
)
from exercises.probes.loading import (
    grown_since,
    holding,
    imported_afresh,
    imported_with_a_sync_thread,
    kept_by,
    load,
    nothing_kept,
    proved,
)
from exercises.probes.logins import (
    BAD,
    TOO_MANY,
    answered,
    ask,
    ask_told,
    at_once,
    attempt,
    every_spelling_counted,
    five_of_ten_checked,
    no_password_written,
    wrong_shapes_refused,
)
from exercises.probes.loop import (
    SLEEP_CALL,
    LoopLag,
    NeverSleeps,
    StallInYourLines,
    in_checked_code,
    never_blocks,
    never_sleeps,
    slept_on_the_loop,
    stalled_in_your_lines,
)
from exercises.probes.outages import (
    MSGPACK_INTEGERS,
    integers_in,
    layer_down,
    redis_answers,
    sends_as_redis_does,
    serve_layer,
)
from exercises.probes.served import SCOPE, send_fails, served
from exercises.probes.settings import PASSWORD_WRITTEN, arrival, in_a_group, layer_of, started_with
from exercises.probes.stores import (
    DATABASE_SYNC_TO_ASYNC_POOL,
    PasswordsChecked,
    cache_down,
    cache_slow,
    orm_where_it_belongs,
    passwords_checked,
    queries_by_thread,
    queries_told_first,
    reads_meet,
)
from exercises.probes.together import meeting, suspending
from exercises.probes.unawaited import UNAWAITED, Unawaited, unawaited_told
from exercises.probes.waits import (
    NOTHING,
    WAITED,
    answer,
    fail_if_crashed,
    frame,
    next_output,
    nothing_after_close,
    nothing_more,
    reply,
    text_frame,
    text_of_bytes,
    until,
)
from exercises.probes.workers import run_the_queue
from exercises.probes.written import shown_part, written_out
from exercises.probes.your_tests import HowItEnded, on_a_correct_consumer, your_test_disconnects_every_socket
from exercises.targets import (
    CHECKED_FILES,
    EXERCISES_DIR,
    PROOF_VARIABLE,
    REPO_DIR,
    STARTERS_VARIABLE,
    TARGET_VARIABLE,
    folder,
    student_file,
    target,
    target_path,
)
from harness.patience import COMMAND, FRAME  # a child process, a frame: how long a check waits for each
