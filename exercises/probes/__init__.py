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
    crashed,
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
