"""never_blocks() (exercises/probes/loop.py) blames a stall in the code under check, not a busy machine."""

import importlib.util
import time
from contextlib import contextmanager

import pytest

from exercises.probes import loop, never_blocks
from exercises.targets import CHECKED_FILES

BLOCKS = "import select\n\ndef block():\n    select.select([], [], [], 0.2)  # waits 0.2 s with the loop held\n"


@contextmanager
def student_code(tmp_path):
    """A file under check whose block() holds the event loop for 0.2 s, as a blocking call in async code does."""
    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS)
    spec = importlib.util.spec_from_file_location("blocks_under_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    CHECKED_FILES.add(str(path))
    try:
        yield module
    finally:
        CHECKED_FILES.discard(str(path))


async def test_a_blocking_call_in_the_code_under_check_fails_naming_its_line(tmp_path):
    blamed = r"stalled for \d+ ms in your code \(blocks.py, line 4: select.select"
    with student_code(tmp_path) as code, pytest.raises(pytest.fail.Exception, match=blamed):
        async with never_blocks():
            code.block()


async def test_a_stall_spent_waiting_for_a_core_is_not_blamed(tmp_path, monkeypatch):
    # As on a machine whose cores are all busy: the loop thread was ready the whole stall and waited for a core.
    monkeypatch.setattr(loop, "stamp", lambda: (time.monotonic(), time.monotonic()))
    with student_code(tmp_path) as code:
        async with never_blocks():
            code.block()


async def test_a_stall_spent_waiting_on_a_thread_that_waited_for_a_core_is_not_blamed(tmp_path, monkeypatch):
    # As when asgiref's sync thread holds the GIL and the busy machine gives it no core: the loop thread sleeps
    # for the GIL, and the other thread's wait for a core grew the whole stall.
    monkeypatch.setattr(loop, "others_waited", lambda skip: {"4242": time.monotonic()})
    with student_code(tmp_path) as code:
        async with never_blocks():
            code.block()
