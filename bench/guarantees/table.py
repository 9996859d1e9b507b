"""Lesson 15's guarantees table: what each channel layer keeps, loses and refuses, as measured.

tests/test_15/test_guarantees.py (in one process) and tests/test_15/test_guarantees_slow.py
(restarts and real Daphne processes) measure every cell on every layer and
compare it with bench/guarantees/table.json, the committed table: a layer that
starts doing something else fails its test. A run with WRITE_GUARANTEES=1
writes what it measured instead (tests/conftest.py, at the end of the run):

    WRITE_GUARANTEES=1 pytest tests/test_15/test_guarantees.py tests/test_15/test_guarantees_slow.py

bench/guarantees/table.md is the same table as Markdown, the one lesson 15 and
NOTES.md quote; tests/test_15/test_guarantees.py checks that it and every quote
match the JSON. Cells are classes ("within 5 s"), never a machine's seconds.
"""

import json
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TABLE_JSON = BENCH_DIR / "table.json"
TABLE_MARKDOWN = BENCH_DIR / "table.md"

LAYERS = {
    "memory": "in-memory",
    "redis": "Redis core",
    "sharded": "Redis core, 2 shards",
    "pubsub": "Redis pub/sub",
    "postgres": "PostgreSQL",
}

PROPERTIES = {
    "order": "one sender's messages",
    "unread": "a message to a channel no one reads yet",
    "capacity": "a channel at capacity (5 here)",
    "largest": "a 1 MiB message",
    "group_expiry": "a membership older than group_expiry",
    "restart": "the store crashed and restarted (Redis without persistence)",
    "processes": "a room across two Daphne processes",
}


def committed() -> dict[str, dict[str, str]]:
    """The committed table: {property: {layer: cell}}."""
    return json.loads(TABLE_JSON.read_text())["cells"]


def render(cells: dict[str, dict[str, str]]) -> str:
    """The table as Markdown: one row per property, one column per layer."""
    lines = [
        "| | " + " | ".join(LAYERS.values()) + " |",
        "|---|" + "---|" * len(LAYERS),
    ]
    for key, label in PROPERTIES.items():
        row = cells.get(key, {})
        lines.append(f"| {label} | " + " | ".join(row.get(layer, "not measured") for layer in LAYERS) + " |")
    return "\n".join(lines) + "\n"


def write(measured: dict[str, dict[str, str]], seconds: dict[str, dict[str, float]] | None = None) -> None:
    """Merge a run's measured cells (and the seconds it timed) into the committed table; rewrite both files."""
    old = json.loads(TABLE_JSON.read_text()) if TABLE_JSON.exists() else {}
    cells = old.get("cells", {})
    timed = old.get("seconds", {})
    for key, row in (seconds or {}).items():
        timed.setdefault(key, {}).update(row)
    for key, row in measured.items():
        cells.setdefault(key, {}).update(row)
    ordered = {
        key: {layer: cells[key][layer] for layer in LAYERS if layer in cells[key]} for key in PROPERTIES if key in cells
    }
    document = {"layers": LAYERS, "properties": PROPERTIES, "cells": ordered}
    # The machine-dependent part: seconds the last writing run measured, quoted as "here", never compared.
    document["seconds"] = timed
    TABLE_JSON.write_text(json.dumps(document, indent=2) + "\n")
    header = (
        "<!-- Written by `WRITE_GUARANTEES=1 pytest tests/test_15/test_guarantees.py tests/test_15/test_guarantees_slow.py`"
        " from bench/guarantees/table.json; do not edit by hand. -->\n\n"
    )
    TABLE_MARKDOWN.write_text(header + render(ordered))
