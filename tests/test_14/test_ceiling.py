"""Lesson 14: where one process stops, and what a broadcast costs on the in-memory layer.

The ceiling is the open-files limit, which the doctor reports and the systemd
unit raises; the in-memory layer's cost grows with its groups because every
receive walks every member of every group. The measurements behind both are
bench/scale/idle.py and bench/scale/fanout.py (tests/test_14/test_capacity_slow.py).
"""

import configparser
import resource
import time

import pytest
from channels.layers import InMemoryChannelLayer
from django.core.management import call_command

from course.catalogue import REPO_DIR
from lessons.management.commands.doctor import CheckWarned, check_open_files


def test_the_doctors_open_files_line_gives_the_limit_and_the_command_raising_it(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    line = check_open_files()
    assert line == "1024: one server process holds fewer than 1024 sockets; `ulimit -n 4096` raises it here (lesson 14)"


@pytest.mark.django_db
def test_doctor_warns_below_1024_open_files_with_the_command_that_raises_the_limit(monkeypatch, capsys, quick_doctor):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, resource.RLIM_INFINITY))  # a macOS shell
    call_command("doctor")  # a warning, not a failure: every lesson but 14 and 16 runs at 256
    output = capsys.readouterr().out
    assert (
        "warn  open files per process (each socket is one): 256 is below 1024: one server process holds "
        "fewer than 256 sockets, too few for lessons 14 and 16; run `ulimit -n 4096` in each terminal"
    ) in output
    assert "All checks passed: you are ready, but read the 1 warning(s) above." in output


def test_the_open_files_warning_says_when_only_root_can_raise_the_limit(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 512))
    with pytest.raises(CheckWarned, match=r"the hard limit is 512: raise it as root"):
        check_open_files()


def test_the_daphne_unit_raises_the_open_files_limit_above_systemds_1024():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read(REPO_DIR / "deploy" / "channels-lessons-daphne@.service")
    assert int(unit["Service"]["LimitNOFILE"]) > 1024


async def test_every_in_memory_receive_walks_the_members_of_every_group():
    layer = InMemoryChannelLayer(group_expiry=60)
    await layer.group_add("far-away-room", "specific.old!member")
    layer.groups["far-away-room"]["specific.old!member"] = time.time() - 120  # joined two minutes ago
    await layer.send("specific.a!me", {"type": "hello"})
    await layer.receive("specific.a!me")  # one socket's receive, in another room...
    # ...looked at every member of every group (and expired this one): N receives, N members each.
    assert layer.groups["far-away-room"] == {}
