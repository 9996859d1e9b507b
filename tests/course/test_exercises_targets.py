"""The file under check is what the check runs: compiled from its source, never from an older .pyc."""

import importlib.util
import os
import py_compile

from exercises.targets import spec_of


def edited_within_the_second(path) -> None:
    """A file imported once (its .pyc written), then saved again within the same second at the same size."""
    path.write_text("VALUE = 1\n")
    timestamped = py_compile.PycInvalidationMode.TIMESTAMP  # as a plain import writes it (SOURCE_DATE_EPOCH or not)
    py_compile.compile(str(path), cfile=importlib.util.cache_from_source(str(path)), invalidation_mode=timestamped)
    before = path.stat()
    path.write_text("VALUE = 2\n")  # a 1 for a 2: the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same second, as a quick save


def value(spec) -> int:
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VALUE


def test_an_edit_saved_within_the_second_at_the_same_size_is_what_runs(tmp_path):
    edited_within_the_second(path := tmp_path / "consumer.py")
    assert value(spec_of("consumer_under_check", path)) == 2


def test_a_plain_import_of_that_edit_runs_the_old_code(tmp_path):  # why spec_of exists
    edited_within_the_second(path := tmp_path / "consumer.py")
    assert value(importlib.util.spec_from_file_location("consumer_plainly", path)) == 1


def test_loading_the_file_under_check_writes_no_bytecode(tmp_path):
    (path := tmp_path / "consumer.py").write_text("VALUE = 1\n")
    value(spec_of("consumer_under_check", path))
    assert not (tmp_path / "__pycache__").exists()
