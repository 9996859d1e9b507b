"""Lesson 14: the capacity model's arithmetic (bench/capacity/model.py, fit.py, cli.py) and the validation table, by hand.

No network, no processes: the slow validation run is bench/scale/validate.py.
"""

import json
import math
from dataclasses import replace

import pytest

from bench.capacity import cli as capacity
from bench.capacity.fit import costs_from_reference, renewal_cpu_us
from bench.capacity.model import FILES_RESERVED, RENEW_INTERVAL_S, Costs, Load, predict, spanned_processes
from bench.scale import fanout as scale_fanout
from bench.scale import validate as scale_validate
from layers_demo.membership import DEFAULT_INTERVAL
from lessons.channel_config import MAX_CONNECTIONS

# 51.2 KiB per socket: 10,000 sockets are 500 MB. Renewals: 10,000 sockets / 10 s = 1,000 a second.
COSTS = Costs("daphne", "core", baseline_rss_mb=100.0, kib_per_socket=51.2, connect_cpu_ms=2.0,
              idle_cpu_us_per_socket=1.0, delivery_cpu_us={100: 20.0}, redis_per_broadcast=10.0,
              renewal_cpu_us=50.0, redis_per_renewal=2)  # fmt: skip


def fanout_row(layer: str, processes: int, room: int, cpu: float, redis: float) -> dict:
    return {"layer": layer, "processes": processes, "room": room, "all_have_it_ms": 10.0, "deliveries_per_s": 5000.0,
            "cpu_us_per_delivery": cpu, "redis_commands_per_broadcast": redis}  # fmt: skip


REFERENCE = {
    "idle": {"servers": [
        {"server": "uvicorn", "baseline_rss_mb": 50.0, "rss_mb": {"1000": 80.0}, "kib_per_socket": 30.0,
         "connect_cpu_ms": 1.0, "idle_cpu_percent": 1.0},
        {"server": "daphne", "baseline_rss_mb": 90.0, "rss_mb": {"1000": 120.0, "10000": 400.0},
         "kib_per_socket": 32.0, "connects_per_s": 500.0, "connect_cpu_ms": 1.5, "echo_p50_ms": 1.0,
         "echo_p99_ms": 4.0, "idle_cpu_percent": 5.0, "ceiling": {"sockets": 20000, "how": "open files"}},
    ]},
    "fanout": {"crowd_cpu_us_per_socket": {"core": 0.1}, "rows": [
        fanout_row("core", 1, 100, 140.0, 15.0),
        fanout_row("core", 1, 1000, 200.0, 15.0),
        fanout_row("core", 2, 100, 150.0, 25.0),
        fanout_row("pubsub", 1, 100, 90.0, 1.0),
    ]},
}  # fmt: skip


def test_predict_adds_up_cpu_memory_and_redis_for_a_hand_worked_load():
    prediction = predict(Load(sockets=10_000, room_size=100, broadcasts_per_s=100, processes=1), COSTS)
    # CPU: idle 10,000 × 1 µs = 0.01 + deliveries 100 × 100 × 20 µs = 0.2 + renewals 1,000 × 50 µs = 0.05 -> 0.26 cores
    assert prediction.cpu_cores == pytest.approx(0.26)
    # RSS: 100 MB + 10,000 × 51.2 KiB / 1024 = 600 MB
    assert prediction.rss_total_mb == pytest.approx(600.0)
    # Redis: 100 broadcasts × 10 + 1,000 renewals × 2 = 3,000 commands/s
    assert prediction.redis_commands_per_s == pytest.approx(3000.0)


def test_a_room_split_over_two_processes_pays_one_copy_more_per_broadcast():
    costs = replace(COSTS, extra_process_cpu_us=500.0, redis_per_extra_process=6.0)
    prediction = predict(Load(sockets=600, room_size=300, broadcasts_per_s=10, processes=2), costs)
    # Span: 2 × (1 - 0.5^300) = 2 processes, one further: 10 × 500 µs = 0.005 cores; 10 × 6 = 60 commands/s
    assert prediction.cpu_terms["further processes"] == pytest.approx(0.005)
    assert prediction.redis_terms["further processes"] == pytest.approx(60.0)


def test_a_room_spans_fewer_processes_than_it_has_sockets():
    assert spanned_processes(1, 50) == 1
    assert spanned_processes(2, 1) == pytest.approx(1.0)
    assert spanned_processes(4, 2) == pytest.approx(1.75)  # 4 × (1 - (3/4)²)


def test_delivery_cost_is_log_linear_between_measured_room_sizes():
    costs = replace(COSTS, delivery_cpu_us={100: 100.0, 1000: 200.0, 5000: 300.0})
    assert costs.room_delivery(math.sqrt(100 * 1000)) == pytest.approx(150.0)  # half-way in log
    assert costs.room_delivery(math.sqrt(1000 * 5000)) == pytest.approx(250.0)
    assert costs.room_delivery(1000) == pytest.approx(200.0)


def test_delivery_cost_beyond_the_measured_sizes_follows_the_end_segment():
    costs = replace(COSTS, delivery_cpu_us={100: 150.0, 1000: 200.0})
    assert costs.room_delivery(10) == pytest.approx(100.0)  # one decade below: 150 - 50
    assert costs.room_delivery(10_000) == pytest.approx(250.0)


def test_each_other_socket_in_the_process_adds_the_crowd_cost_to_a_delivery():
    costs = replace(COSTS, crowd_cpu_us_per_socket=0.05)
    assert costs.delivery_at(100, per_process=1100) == pytest.approx(70.0)  # 20 + 0.05 × 1,000


def test_memory_binds_when_sockets_outgrow_what_a_process_may_use():
    prediction = predict(Load(sockets=100_000, room_size=100, broadcasts_per_s=1, memory_gb=1), COSTS)
    # 1,024 MB × 80 % = 819.2, less 100 baseline = 719.2 MB for sockets; 5,000 MB / 719.2 -> 7 processes
    assert (prediction.binds, prediction.processes) == ("memory", 7)


def test_cpu_binds_when_deliveries_outgrow_the_cores():
    prediction = predict(Load(sockets=10_000, room_size=100, broadcasts_per_s=1000), COSTS)
    # 1,000 × 100 × 20 µs = 2 cores + 0.01 + 0.05 = 2.06 cores; / 0.7 per process -> 3 processes
    assert (prediction.binds, prediction.processes) == ("CPU", 3)


def test_open_files_bind_when_each_process_may_hold_few_sockets():
    prediction = predict(Load(sockets=10_000, room_size=100, broadcasts_per_s=1, open_files=3024), COSTS)
    # 3,024 - 1,024 reserved = 2,000 sockets per process -> 5 processes
    assert (prediction.binds, prediction.processes) == ("open files", 5)


def test_redis_binds_when_one_redis_cannot_carry_the_commands():
    prediction = predict(Load(sockets=10_000, room_size=100, broadcasts_per_s=1, redis_ops_per_s=1000), COSTS)
    # 1 × 10 + 1,000 × 2 = 2,010 commands/s; one Redis at 70 % carries 700 -> 2.87 Redis servers
    assert prediction.binds == "Redis"
    assert prediction.redis_servers == pytest.approx(2010 / 700)


def test_costs_from_reference_reads_the_chosen_server_and_layer():
    costs = costs_from_reference(REFERENCE, server="daphne", layer="core")
    assert (costs.baseline_rss_mb, costs.kib_per_socket, costs.connect_cpu_ms) == (90.0, 32.0, 1.5)
    assert costs.idle_cpu_us_per_socket == pytest.approx(5.0)  # 5 % of a core = 50,000 µs/s over 10,000 sockets
    assert costs.delivery_cpu_us == {100: 140.0, 1000: 200.0}
    # Two processes, room 100: 50 fewer sockets each, 0.1 × -50 = -5 µs; (150 - 140 + 5) × 100 / 1 = 1,500 µs
    assert costs.extra_process_cpu_us == pytest.approx(1500.0)
    assert (costs.redis_per_broadcast, costs.redis_per_extra_process, costs.redis_per_renewal) == (15.0, 10.0, 2)


def test_further_process_costs_fit_every_room_the_small_ones_most():
    rows = [fanout_row("core", 1, 100, 140.0, 15.0), fanout_row("core", 1, 1000, 200.0, 15.0),
            fanout_row("core", 2, 100, 150.0, 25.0), fanout_row("core", 4, 1000, 213.0, 45.0)]  # fmt: skip
    costs = costs_from_reference({**REFERENCE, "fanout": {"crowd_cpu_us_per_socket": {"core": 0.0}, "rows": rows}})
    # Per delivery, x = (P - 1) / room: (0.01, 10 µs), (0.003, 13 µs) (alone: 13 × 1,000 / 3 = 4,333 µs a copy).
    # Σxy / Σx² = (0.1 + 0.039) / (0.0001 + 0.000009) = 1,275.2 µs; Redis: (0.01, 0.1), (0.003, 0.03) -> 10
    assert (costs.extra_process_cpu_us, costs.redis_per_extra_process) == pytest.approx((1275.2, 10.0), abs=0.1)


def test_a_renewal_costs_the_quiet_cpu_the_idle_sockets_leave_over():
    rows = [{"room": 5000, "quiet_cpu_percent": 12.5, "quiet_renewals_per_s": 500.0},
            {"room": 100, "quiet_cpu_percent": 0.3, "quiet_renewals_per_s": 0.0}]  # fmt: skip
    # 12.5 % = 125,000 µs/s, less 5,000 × 5 µs/s idle, over 500 renewals/s = 200 µs; a young room renews nothing
    assert renewal_cpu_us(rows, idle_cpu_us_per_socket=5.0) == pytest.approx(200.0)
    assert renewal_cpu_us(rows[1:], idle_cpu_us_per_socket=5.0) is None


def test_fan_out_figures_are_net_of_the_quiet_window_and_its_renewals():
    window = (2.0, 0.5, {"expire": 1000, "zcount": 40, "zadd": 1040, "eval": 10})  # s, CPU s, Redis calls
    quiet = (1.0, 0.1, {"expire": 500, "zadd": 500, "hello": 3, "ping": 3, "bzpopmin": 4})  # 4 not renewals
    # Renewals in the window: 1,000 EXPIRE - 40 ZCOUNT = 960, 2 commands each.
    # CPU 0.5 - 0.1/s × 2 s = 0.3; Redis 2,090 - 1,920 renewal commands - 4/s × 2 s = 162
    assert scale_fanout.net_of_quiet(window, quiet) == pytest.approx((0.3, 162.0))


def test_validate_fits_this_runs_fan_out_and_the_references_idle_section():
    costs, source = scale_validate.fitted_costs({"fanout": REFERENCE["fanout"], "idle": {"status": "failed: x"}})
    assert costs.delivery_cpu_us == {100: 140.0, 1000: 200.0}
    assert source == "bench/scale/reference.json's idle section and this run's fan-out section"


def test_costs_from_reference_names_what_the_reference_lacks():
    with pytest.raises(ValueError, match="granian"):
        costs_from_reference(REFERENCE, server="granian")
    with pytest.raises(ValueError, match="memory"):
        costs_from_reference(REFERENCE, layer="memory")


def test_the_command_line_prints_the_table_and_what_binds(tmp_path, capsys):
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(REFERENCE))
    argv = ["--sockets", "1000", "--room-size", "100", "--broadcasts", "10", "--reference", str(path), "--top", "none"]
    assert capacity.main(argv) == 0
    out = capsys.readouterr().out
    assert "| resource" in out and "| open files" in out
    # Redis: 10 × 15 + 1,000 / 10 s × 2 = 350 commands/s
    assert "| 350 commands/s" in out
    assert "Processes: 1. Binds first:" in out


def test_the_model_renews_as_often_as_the_chat_and_reserves_files_for_the_redis_pool():
    assert RENEW_INTERVAL_S == DEFAULT_INTERVAL
    assert FILES_RESERVED > MAX_CONNECTIONS


def test_render_sets_prediction_beside_measurement_with_the_error():
    rows = [scale_validate.comparison("server CPU, cores", 0.55, 0.5)]
    result = {
        "status": "ok",
        "plan": {"sockets": 2400, "room_size": 300, "broadcasts_per_s": 10, "processes": 2, "layer": "core"},
        "costs_from": "bench/scale/reference.json",
        "fitted_rooms": [100, 1000],
        "measured": {"broadcasts_per_s": 10.0, "deliveries_per_s": 3000.0, "window_s": 10.0},
        "rows": rows,
        "within_goal": True,
    }
    lines = scale_validate.render(result)
    assert lines[0] == "## The model, checked"
    assert any("| server CPU, cores | 0.55" in line and "+10.0 %" in line for line in lines)
    assert "all within 25 %" in "\n".join(lines) and "measured 100, 1000" in "\n".join(lines)


def test_a_load_the_in_memory_layer_cannot_serve_is_said_before_any_figure():
    load = Load(sockets=10_000, room_size=100, broadcasts_per_s=10, memory_gb=0.5)
    costs = replace(COSTS, layer="memory")
    lines = capacity.render(load, costs, predict(load, costs), "reference.json")
    said = next(n for n, line in enumerate(lines) if "cannot reach another process" in line)
    assert said < next(n for n, line in enumerate(lines) if line.startswith("|")), lines
