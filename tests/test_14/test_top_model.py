"""Lesson 14 at the top: the 100,000-socket run (bench/scale/top.py) corrects the capacity model, and the
doctor says how many sockets this machine holds (bench/capacity/machine.py). By hand: no network, no processes.
"""

from dataclasses import replace

import pytest

from bench.capacity.fit import learned_at_the_top
from bench.capacity.machine import Limits, SocketCosts, holds, summary
from lessons.management.commands.doctor import check_machine_sockets
from tests.test_14.test_capacity import COSTS

TOP = {
    "status": "ok",
    "plan": {"memory_daphnes": 2, "redis_daphnes": 1, "per_daphne": 10_000},
    "measured": {
        "open": {"server_cpu_ms_per_open": 2.5, "server_kib_per_socket": 40.0},
        # 20,000 in-memory sockets at 0.2 cores: 10 µs/s each; 10,000 Redis sockets at 0.25: 25 µs/s each
        "heartbeat": {"memory_cores": 0.2, "redis_daphne_cores": 0.25},
        "broadcast": {
            "room_memory": {"expected": 100, "cpu_us_per_delivery": 515.0},
            "room_redis": {"expected": 100, "cpu_us_per_delivery": 140.0},
        },
    },
}


def test_the_top_run_teaches_the_model_renewals_crowd_and_memory_not_cpu_per_open():
    memory = replace(COSTS, layer="memory", delivery_cpu_us={100: 20.0}, idle_cpu_us_per_socket=1.0)
    learned = learned_at_the_top(memory, TOP)
    # Renewal: (10 - 1 µs/s idle) × 10 s = 90 µs. Crowd: (515 - 20) µs over the 9,900 other sockets = 0.05 µs
    assert learned.renewal_cpu_us == pytest.approx(90.0)
    assert learned.crowd_cpu_us_per_socket == pytest.approx(0.05)
    assert (learned.connect_cpu_ms, learned.kib_per_socket) == (2.0, 40.0)  # CPU per open: not from a busy run


def test_the_top_run_leaves_a_layer_it_did_not_run_as_it_was():
    pubsub = replace(COSTS, layer="pubsub")
    assert learned_at_the_top(pubsub, TOP) == pubsub
    assert learned_at_the_top(COSTS, {"status": "failed: no Redis"}) == COSTS


def test_this_machine_holds_the_fewest_sockets_any_of_its_limits_allows():
    limits = Limits(open_files_hard=21_024, file_max=2_000_000, ports_per_destination=28_232, memory_mb=10_240,
                    cores=2)  # fmt: skip
    costs = SocketCosts(kib_per_socket=40.0, baseline_mb=100.0, idle_us_per_socket_s=10.0, source="a hand-made run")
    # Memory: 8,192 MB usable / (40/1024 + 100/20,000 MB a socket) = 185,917. CPU: 2 × 0.7 × 1e6 / 10 = 140,000
    assert holds(limits, costs) == {"memory": 185_917, "CPU": 140_000, "open files (system)": 2_000_000}
    line = summary(limits, costs)
    assert line.startswith("about 140,000 idle chat sockets, CPU binds first")
    assert "open files 21,024 a process: 7 Daphnes of at most 20,000" in line


def test_the_doctor_says_how_many_sockets_this_machine_holds():
    assert "idle chat sockets" in check_machine_sockets() and "binds first" in check_machine_sockets()
