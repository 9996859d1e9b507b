"""never_blocks() (exercises/probes/loop.py) blames a stall in the code under check, not a busy machine."""

import importlib.util
import time

import pytest

from exercises.probes import loop, never_blocks
from exercises.targets import CHECKED_FILES

BLOCKS = "import select\n\ndef block():\n    select.select([], [], [], 0.2)  # waits 0.2 s with the loop held\n"


@pytest.fixture
def student_code(tmp_path):
    """A file under check whose block() holds the event loop for 0.2 s, as a blocking call in async code does."""
    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS)
    spec = importlib.util.spec_from_file_location("blocks_under_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    CHECKED_FILES.add(str(path))
    yield module
    CHECKED_FILES.discard(str(path))


async def test_a_blocking_call_in_the_code_under_check_fails_naming_its_line(student_code):
    with pytest.raises(pytest.fail.Exception, match=r"stalled for \d+ ms in your code \(blocks.py, line 4"):
        async with never_blocks():
            student_code.block()


async def test_a_stall_spent_waiting_for_a_core_is_not_blamed(student_code, monkeypatch):
    # As on a machine whose cores are all busy: the loop thread was ready the whole stall and waited for a core.
    monkeypatch.setattr(loop, "stamp", lambda: (time.monotonic(), time.monotonic()))
    async with never_blocks():
        student_code.block()
