"""Lesson 14's scale harness at the test's size: what it measures holds, whatever the figures are.

The harness (bench/scale/run.py, `make bench-scale`) runs once, small (about 300
sockets, 2 processes), in the module fixture `small_run` (tests/fixtures/scale.py); each test reads one behaviour
from its results. Nothing here asserts a time: speed is measured, not tested.
Needs Redis (fan-out, storm) and nginx (storm); without them the tests skip
with how to get them, and fail under CI=true.
"""

import json

import pytest

from bench.scale import fanout as scale_fanout
from bench.scale import idle as scale_idle
from bench.scale import storm as scale_storm
from bench.scale.run import SECTIONS
from course.catalogue import REPO_DIR
from harness.patience import patient

# The first test waits for the whole harness (small_run: about 110 s on 2 idle cores, ten minutes beside a hog).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(patient(1800))]


def test_every_idle_server_holds_all_its_sockets_and_still_echoes(small_run):
    rows = small_run["idle"]["servers"]
    wanted = small_run["idle"]["steps"][-1]
    assert {row["server"]: row.get("status", "ok") for row in rows} == dict.fromkeys(scale_idle.SERVERS, "ok")
    assert {row["server"]: row["held"] for row in rows} == dict.fromkeys(scale_idle.SERVERS, wanted)
    assert all(row["echo_p50_ms"] > 0 for row in rows)  # a fresh socket's echo came back, checked frame by frame


def test_each_idle_socket_costs_some_memory_on_every_server(small_run):
    assert all(row["kib_per_socket"] > 0 for row in small_run["idle"]["servers"])


def test_uvicorn_negotiates_per_message_deflate_unless_told_not_to(small_run):
    extensions = {row["server"]: set(row["extensions"]) for row in small_run["idle"]["servers"]}
    assert all(e.startswith("permessage-deflate") for e in extensions["uvicorn"])
    assert extensions["uvicorn --ws-per-message-deflate false"] == {"none"}
    assert extensions["daphne"] == {"none"}  # Daphne never offers it back


def test_the_ceiling_probe_says_how_each_server_stopped(small_run):
    ceilings = [row["ceiling"] for row in small_run["idle"]["servers"]]
    assert all(ceiling["sockets"] >= small_run["idle"]["steps"][-1] and ceiling["how"] for ceiling in ceilings)


def test_every_socket_got_every_broadcast_on_every_layer_and_process_count(small_run):
    rows = small_run["fanout"]["rows"]
    setups = {(row["layer"], row["processes"]) for row in rows}
    assert setups == set(scale_fanout.SMALL["setups"])
    assert [(row["layer"], row["processes"], row["room"], row["status"]) for row in rows if row["status"] != "ok"] == []
    assert {row["missing_deliveries"] for row in rows} == {0}


def test_redis_fan_out_counts_its_commands_and_the_in_memory_layer_has_none(small_run):
    # A failed row has no figures: the test above says why it failed. Each kind of layer still needs a row measured.
    rows = [row for row in small_run["fanout"]["rows"] if row["status"] == "ok"]
    assert {row["layer"] == "memory" for row in rows} == {True, False}, "no in-memory or no Redis fan-out was measured"
    assert all(row["redis_commands_per_broadcast"] > 0 for row in rows if row["layer"] != "memory")
    assert all(row["redis_commands_per_broadcast"] is None for row in rows if row["layer"] == "memory")


def test_every_fan_out_figure_is_net_of_its_rooms_quiet_window(small_run):
    rows = [row for row in small_run["fanout"]["rows"] if row["status"] == "ok"]
    assert all(row["quiet_s"] > 0 and row["cpu_us_per_delivery"] <= row["cpu_us_per_delivery_gross"] for row in rows)
    redis = [row for row in rows if row["layer"] != "memory"]
    assert all(row["redis_commands_per_broadcast"] <= row["redis_commands_per_broadcast_gross"] for row in redis)


def test_every_client_cut_by_the_storm_came_back(small_run):
    runs = small_run["storm"]["runs"]
    assert [run["status"] for run in runs] == ["ok"] * len(scale_storm.SMALL["runs"])
    assert all(run["cut"] > 0 and run["back"] == run["cut"] for run in runs)


def test_no_client_that_backs_off_with_jitter_is_lost_in_the_storm(small_run):
    backoff = [run for run in small_run["storm"]["runs"] if run["clients"] == "backoff with jitter"]
    assert backoff and all(run["lost"] == 0 for run in backoff)


def test_every_fastest_row_is_a_ratio_to_the_plain_websockets_echo(small_run):
    rows = small_run["fastest"]["rows"]
    assert [row["status"] for row in rows] == ["ok"] * len(rows)
    assert rows[0]["server"] == "websockets" and rows[0]["cpu_x_websockets"] == 1.0
    assert {(row["server"], row["dispatch"]) for row in rows} >= {("uvicorn", "hop-free"), ("daphne", "stock")}


def test_churn_at_the_tests_size_leaves_no_member_on_any_layer(small_run):
    layers = small_run["churn"]["layers"]
    assert [(entry["layer"], entry["failed"]) for entry in layers if "failed" in entry] == []  # why, not a KeyError
    assert {entry["layer"]: [row["members_left"] for row in entry["rows"]] for entry in layers} == {
        entry["layer"]: [0] * len(entry["rows"]) for entry in layers
    }


def test_the_models_check_sets_each_prediction_beside_a_measurement(small_run):
    check = small_run["validate"]
    assert check["status"] == "ok", check["status"]
    assert [(row["figure"], row["predicted"] > 0, row["measured"] > 0) for row in check["rows"]] == [
        (figure, True, True) for figure in ("server CPU, cores", "RSS per process, MB", "Redis commands/s")
    ]


def test_every_section_renders_its_title_as_a_heading(small_run):
    headings = [SECTIONS[name].render(result)[0] for name, result in small_run.items()]
    assert headings == [f"## {module.TITLE}" for module in SECTIONS.values()]


def test_the_top_run_opens_every_socket_it_planned_over_its_daphnes(small_run):
    top = small_run["top"]
    assert top["status"] == "ok", top["status"]
    plan, opened = top["plan"], top["measured"]["open"]
    assert opened["opened"] == (plan["memory_daphnes"] + plan["redis_daphnes"]) * plan["per_daphne"]
    assert opened["still_open"] == opened["opened"]  # none closed by a ping timeout while idle


def test_every_open_socket_hears_each_top_broadcast_in_a_process_via_redis_to_all(small_run):
    broadcast = small_run["top"]["measured"]["broadcast"]
    heard = {name: (broadcast[name]["heard"], broadcast[name]["expected"]) for name in ("room_memory", "room_redis")}
    assert heard == {"room_memory": (50, 50), "room_redis": (50, 50)}
    assert broadcast["everyone"]["heard"] == broadcast["everyone"]["expected"] == 300
    assert all(broadcast[name]["p50_ms"] <= broadcast[name]["p99_ms"] <= broadcast[name]["max_ms"] for name in heard)


def test_the_top_run_measures_memory_per_socket_on_the_server_and_the_client_apart(small_run):
    opened = small_run["top"]["measured"]["open"]
    assert opened["server_kib_per_socket"] > 0 and opened["client_kib_per_socket"] > 0
    assert opened["server_cpu_ms_per_open"] > 0 and opened["client_cpu_ms_per_open"] > 0


def test_the_top_run_sets_a_prediction_beside_every_figure_but_the_clients_memory(small_run):
    rows = small_run["top"]["rows"]
    assert [row["figure"] for row in rows if row["predicted"] is None] == ["client memory, KiB per socket"]
    assert all(row["measured"] is not None for row in rows)


def test_every_client_cut_by_the_top_storm_comes_back_on_the_survivor(small_run):
    storm = small_run["top"]["measured"]["storm"]
    assert (storm["cut"], storm["back"], storm["lost"]) == (150, 150, 0)  # the killed in-memory Daphne's sockets


def test_the_top_run_names_what_runs_out_first_and_how_many_sockets_it_holds(small_run):
    top = small_run["top"]
    held = {row["resource"]: row["sockets"] for row in top["limits"] if row["sockets"]}
    assert held[top["runs_out_first"]] == min(held.values()) > 0


def test_the_reference_run_has_every_key_the_capacity_model_reads():
    reference = json.loads((REPO_DIR / "bench/scale/reference.json").read_text())
    idle_keys = {"server", "baseline_rss_mb", "rss_mb", "kib_per_socket", "connects_per_s", "connect_cpu_ms"}
    idle_keys |= {"echo_p50_ms", "echo_p99_ms", "idle_cpu_percent", "ceiling"}
    fanout_keys = {"layer", "processes", "room", "all_have_it_ms", "deliveries_per_s", "cpu_us_per_delivery"}
    assert all(
        idle_keys <= set(row) and set(row["rss_mb"]) == {"1000", "5000", "10000"}
        for row in reference["idle"]["servers"]
    )
    assert {row["server"] for row in reference["idle"]["servers"]} == set(scale_idle.SERVERS)
    assert all(fanout_keys | {"redis_commands_per_broadcast"} <= set(row) for row in reference["fanout"]["rows"])
    assert {run["clients"] for run in reference["storm"]["runs"]} >= {"retry at once", "backoff with jitter"}
    assert all({"all_back_s", "lost", "retries"} <= set(run) for run in reference["storm"]["runs"])
    assert all({"server", "dispatch", "cpu_x_websockets"} <= set(row) for row in reference["fastest"]["rows"])
    assert "machine" in reference and "sockets_per_process" in reference["storm"]
