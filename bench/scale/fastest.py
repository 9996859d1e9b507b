"""The fastest configuration the course teaches: which server and which dispatch, against plain websockets.

The lesson 02 echo, stock (`ws/async/echo/`: `AsyncConsumer.dispatch` awaits
`aclose_old_connections()` on the sync thread before every handler) and
hop-free (`ws/async/hop-free-echo/`, async_demo/hop_free.py), under Daphne,
uvicorn and granian, one process each on the in-memory layer, beside the
echo written directly on `websockets` (bench/common/reference_echo.py). bench/speed/echo.py
does the measuring: 50 clients, 40 round trips each; rounds take turns and
each figure is the median over them. `cpu_x_websockets` is the server's CPU
per message divided by the reference's in the same run: what one message
costs on each stack, in units of the least Python can do.

    .venv/bin/python bench/scale/run.py --only fastest [--small]
"""

import statistics

from bench.common.processes import Server, start_reference_echo
from bench.common.report import table
from bench.servers import run as asgi_servers
from bench.speed import echo

TITLE = "Fastest taught configuration"
ROUTES = {"stock": "ws/async/echo/", "hop-free": "ws/async/hop-free-echo/"}
FULL = {"clients": 50, "per_client": 40, "rounds": 3}
SMALL = {"clients": 10, "per_client": 20, "rounds": 1}


def start(name: str) -> Server:
    return start_reference_echo() if name == "websockets" else asgi_servers.start(name)


async def measure(small: bool) -> dict:
    plan = SMALL if small else FULL
    targets = [("websockets", "reference")] + [(s, d) for s in asgi_servers.SERVERS for d in ROUTES]
    servers: dict[str, Server | str] = {}
    for name in dict.fromkeys(name for name, _ in targets):
        try:
            servers[name] = start(name)
        except Exception as error:
            servers[name] = f"failed: {type(error).__name__}: {str(error)[:200]}"
    runs: dict[tuple[str, str], list[dict]] = {target: [] for target in targets}
    failures: dict[tuple[str, str], str] = {}
    try:
        for _ in range(plan["rounds"]):  # every target once per round, so a burst of load spoils one round, not a row
            for name, dispatch in targets:
                server = servers[name]
                if isinstance(server, str) or (name, dispatch) in failures:
                    continue
                path = ROUTES.get(dispatch, "echo/")
                try:
                    result = await echo.measure(server, path, plan["clients"], plan["per_client"], echo.same_frame)
                    runs[name, dispatch].append(result)
                except Exception as error:
                    failures[name, dispatch] = f"failed: {type(error).__name__}: {str(error)[:200]}"
    finally:
        for server in servers.values():
            if not isinstance(server, str):
                server.stop()
    rows = []
    for name, dispatch in targets:
        row = {"server": name, "dispatch": dispatch, "route": ROUTES.get(dispatch, "(any)")}
        status = servers[name] if isinstance(servers[name], str) else failures.get((name, dispatch), "ok")
        if status != "ok":
            rows.append({**row, "status": status})
            continue
        figures = runs[name, dispatch]
        median = {key: statistics.median(run[key] for run in figures) for key in figures[0]}
        rows.append({**row, "status": "ok", **median})
    reference = rows[0].get("server_cpu_us_per_msg")
    for row in rows:
        if row["status"] == "ok" and reference:
            row["cpu_x_websockets"] = round(row["server_cpu_us_per_msg"] / reference, 2)
    return {
        "clients": plan["clients"],
        "messages_per_client": plan["per_client"],
        "rounds": plan["rounds"],
        "rows": rows,
    }


def render(result: dict) -> list[str]:
    headers = ["server", "dispatch", "route", "msg/s", "p50 ms", "p99 ms", "server CPU us/msg", "CPU x websockets"]
    rows = []
    for row in result["rows"]:
        head = [row["server"], row["dispatch"], f"`{row['route']}`"]
        if row["status"] != "ok":
            rows.append([*head, row["status"]])
            continue
        figures = [row["msgs_per_s"], row["p50_ms"], row["p99_ms"], row["server_cpu_us_per_msg"]]
        rows.append([*head, *figures, row.get("cpu_x_websockets", "")])
    ok = [row for row in result["rows"] if row["status"] == "ok" and row["server"] != "websockets"]
    best = min(ok, key=lambda row: row["server_cpu_us_per_msg"]) if ok else None
    paragraph = (
        f"{result['clients']} clients, {result['messages_per_client']} round trips each, median of "
        f"{result['rounds']} rounds taking turns; the clients offer no compression. 'stock' pays a trip to "
        "the one sync thread per event (`aclose_old_connections()` in `AsyncConsumer.dispatch`), 'hop-free' "
        "skips it (lesson 02)."
    )
    if best:
        paragraph += (
            f" Cheapest here: {best['server']}, {best['dispatch']}, at {best.get('cpu_x_websockets')}× "
            "the plain websockets echo's CPU per message."
        )
    return [f"## {TITLE}", "", paragraph, "", *table(headers, rows).splitlines()]
