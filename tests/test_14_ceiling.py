"""Lesson 14: where one process stops, and what a broadcast costs on the in-memory layer.

The ceiling is the open-files limit, which the doctor reports and the systemd
unit raises; the in-memory layer's cost grows with its groups because every
receive walks every member of every group. The measurements behind both are
bench/scale_idle.py and bench/scale_fanout.py (tests/test_14_capacity_slow.py).
"""

import configparser
import resource
import time

from channels.layers import InMemoryChannelLayer

from course.catalogue import REPO_DIR
from lessons.management.commands.doctor import check_open_files


def test_the_doctors_open_files_line_gives_the_limit_and_the_command_raising_it(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    line = check_open_files()
    assert line == "1024: one server process holds fewer than 1024 sockets; `ulimit -n 4096` raises it here (lesson 14)"


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
