"""What every check's test starts from, whether one check runs (a student's run) or many (the kit's proof)."""

import gc
import os
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import channel_layers, get_channel_layer
from django.db import connections

# The test database a check's consumer queries: no permissions made, content types put back after each flush,
# SQLite not waiting on the disk (harness/database.py, as the suite's). A flush that made them again took 16-21 ms,
# a sixth of the kit's proof.
from harness.database import django_db_modify_db_settings, django_db_setup  # noqa: F401 - fixtures, as if written here
from harness.patience import FRAME


def pytest_collection_finish(session):
    """Freeze what collection imported: each test's gc.collect() below then scans only what that test made.

    A full collection walks every object Django, Channels and pytest hold, about
    0.09 s; after gc.freeze() it walks only the test's own leftovers, where the
    unawaited coroutines are.
    """
    gc.collect()
    gc.freeze()


class Check(pytest.Module):
    """A check.py: its own tests, then the standard battery of what its exercise builds (exercises/battery/).

    The battery's tests are imported at the end of check.py, in plain sight, so they run last: a mistake
    is told in its exercise's words first, and the battery catches what those words never thought of. The
    imports must be exactly the behaviours of its kind that its exercise.toml does not skip: a check that
    left one out would pass a mistake every other exercise of its kind rejects.
    """

    def collect(self):
        from exercises.battery import battery_of, declared

        battery = battery_of(self.path.parent)
        imported = {
            name
            for name, test in vars(self.obj).items()
            if name.startswith("test_") and getattr(test, "__module__", "").startswith("exercises.battery.")
        }
        if imported != set(battery):
            missing, extra = sorted(set(battery) - imported), sorted(imported - set(battery))
            raise LookupError(
                f"{self.path}'s battery lines do not match its exercise.toml: missing {missing}, not of its kind or "
                f"skipped {extra}; import each behaviour of its kind it does not skip, at the end of check.py"
            )
        items = super().collect()
        if declared(self.path.parent).get("database"):  # its consumer queries: the battery's tests get a database
            for item in items:
                if item.name in battery:
                    item.add_marker(pytest.mark.django_db(transaction=True))
        return items


def pytest_pycollect_makemodule(module_path, parent):
    """An exercise's check.py (its folder has an exercise.toml) is a Check; any other module collects as it is."""
    if module_path.name == "check.py" and (module_path.parent / "exercise.toml").exists():
        return Check.from_parent(parent, path=module_path)


def pytest_configure(config):
    """Channels' communicators wait as the probes do: a frame that nothing left running could send ends the wait.

    A check writes `await communicator.connect(timeout=FRAME)` as Channels' documentation
    does. asgiref's receive_output() behind it waits out all of FRAME for a consumer that
    will never answer (an untouched starter that never accepts). The probes' next_output()
    takes the same timeout and gives the same verdict, but at once when the consumer has
    crashed or nothing in the process could still send (exercises/probes/quiet.py).
    """
    from asgiref.testing import ApplicationCommunicator

    from exercises.probes.waits import receive_output

    ApplicationCommunicator.receive_output = receive_output


EXIT_STATUS = pytest.StashKey[int]()


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave as soon as pytest is done: its report is written, and no thread may hold the process open.

    At exit Python joins every executor thread, and a consumer's sync thread that a
    test gave up on (its handler still waiting on an event loop that has closed) is
    waited for for ever: a student's passing run would end in "did not finish within
    90 s", and the kit's proof once sat ten minutes on a run of 25 checks after its report.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(config.stash.get(EXIT_STATUS, 0))


@pytest.fixture(autouse=True)
def fresh_start(django_db_blocker):
    """A new in-memory channel layer, no database connection and no unawaited coroutine left by an earlier test.

    pytest-django runs the database checks first; a connection they leave open
    in the thread that runs database_sync_to_async would make every later
    consumer fail with "Database access not allowed" (Channels closes old
    connections before each handler), in a run of many checks, never in a
    student's run of one.
    """
    channel_layers.backends.clear()
    yield

    def close_all():
        with django_db_blocker.unblock():
            connections.close_all()

    close_all()
    try:
        SyncToAsync.single_thread_executor.submit(close_all).result(timeout=FRAME)
    except TimeoutError:
        # The sync thread is still held by the consumer of a test that has ended (a wrong
        # solution whose handler waits on a loop that is gone, or a busy machine that ended
        # the test mid-handler). Every later check's database_sync_to_async and SyncConsumer
        # would queue behind it for ever: they get a sync thread of their own instead.
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    # A coroutine this test's wrong code threw away unawaited warns when it is collected:
    # collect it now, quietly, or the warning lands in the next check's test (many checks, one process).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gc.collect()
    # What outlived the test is frozen too, so the next test's collection walks only what that test
    # makes: the kit's proof runs 25 checks to a process, and its CPU fell from 88 s to 79 s.
    gc.freeze()


@pytest.fixture(autouse=True)
def environment_as_it_was():
    """os.environ put back after each test: what one student module sets must not change how the next check runs.

    A wrong solution that sets DJANGO_ALLOW_ASYNC_UNSAFE when it is imported would
    otherwise leave it set for every later check of the kit's proof in the same
    process, where it hides the very mistake a later check looks for.
    """
    before = dict(os.environ)
    yield
    for name in set(os.environ) - set(before):
        del os.environ[name]
    for name, value in before.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


# --- fixtures the checks share: each reads its check's header (EXERCISE, RULE, CONSUMER and, if not "/", PATH) ---


@pytest.fixture
def module(request):
    """The module under check: load(EXERCISE, RULE), the check's RULE told if the file does not import."""
    from exercises.probes import load

    return load(request.module.EXERCISE, request.module.RULE)


@pytest.fixture
def app(module, request):
    """The check's CONSUMER of the module under check, served as a server serves it: CONSUMER.as_asgi()."""
    get_channel_layer()  # built before any stall monitor starts: an import is not a stall of yours
    return getattr(module, request.module.CONSUMER).as_asgi()


@pytest.fixture
def in_memory_layer(settings):
    """The in-memory channel layer, whatever REDIS_URL says: its groups can be read (members()), none left from Redis."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
async def warmed_up(in_memory_layer, app, request):
    """`app` on the in-memory layer, one socket come and gone (at PATH): first imports stay out of any lag measured."""
    from exercises.probes import warm_up

    await warm_up(app, getattr(request.module, "PATH", "/"))
    return app


@pytest.fixture
def clock(module, monkeypatch, request):
    """A Clock for the time the module under check reads (time.monotonic(), time.time()); its time.sleep still sleeps."""
    from exercises.probes import Clock, on_the_clock

    clock = Clock(request.module.RULE)
    clock.now = time.monotonic()  # each test later than the last by as much as real time: what one left behind ages
    return on_the_clock(monkeypatch, module, clock, sleeps=False)
