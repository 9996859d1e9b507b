"""A costly result computed once per test run, however many pytest-xdist workers ask for it."""

import os
import pickle
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


def once_per_run(name: str, compute: Callable[[], object]):
    """compute()'s result, shared by every worker of this run through a pickle in the temp folder.

    The first worker to ask runs it under a file lock; the others wait on the lock and read
    what it wrote. Outside xdist (or off POSIX, with no fcntl) it is simply computed.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None or os.name != "posix":
        return compute()
    found = Path(tempfile.gettempdir()) / f"{name}-{run}.pickle"
    with locked(found.with_suffix(".lock")):
        if not found.exists():
            found.write_bytes(pickle.dumps(compute()))
        return pickle.loads(found.read_bytes())


@contextmanager
def locked(path: Path):
    """An exclusive lock on the file at `path` (made if need be), held inside the with block."""
    import fcntl

    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
