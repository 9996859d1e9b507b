"""Turn the benchmark's results into the Markdown tables it prints and commits."""


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, its columns padded so it reads as well in a terminal."""
    text = [[str(cell) for cell in row] + [""] * (len(headers) - len(row)) for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in text) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |" for row in text
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def measured(row: dict, keys: list[str]) -> list:
    """The row's figures under `keys`, or its status (e.g. "skipped: no Redis ...") where the figures would be."""
    if row["status"] != "ok":
        return [row["status"]]
    return [row.get(key, "") for key in keys]


def yes_no(flag: bool | None) -> str:
    if flag is None:
        return "—"  # no budget to be within
    return "yes" if flag else "NO"


def machine(info: dict) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in info["packages"].items())
    return (
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['os']}, {info['python']}, "
        f"Redis server {info['redis_server']}; load average at start {info['load_average_at_start']}."
        f"\n\nPackages: {packages}."
    )


def suite(results: dict) -> str:
    """A line of verdicts, then each command's median seconds and its ratio to a bare django.setup()."""
    base, budgets, summary = results["baseline"], results["budgets"], results["summary"]
    over = ", ".join(
        f"{lesson['name']} {lesson['ratio']:.2f}x of {lesson['budget_ratio']:.2f}x"
        for lesson in summary["lessons_over"]
    )
    fast = "within" if summary["test_fast_within"] else "OVER"
    rule = f"{budgets['start_up_ratio']:g}x a bare django.setup() ({base['wall_s']} s) + {budgets['per_test_ms']:g} ms a test"
    verdict = (
        f"{summary['lessons_within']} of {summary['lessons']} lessons within {rule}"
        + (f" (over: {over})" if over else "")
        + f"; make test-fast {summary['test_fast_ratio']:.2f}x, {fast} its {summary['test_fast_budget_ratio']:.2f}x"
        + " (the same rule, its test count over its workers)."
    )
    headers = ["run", "command", "median s", "django.setup() s", "x setup", "budget", "within"]
    headers += ["tests s", "of them on a server s", "rest s", "CPU x setup", "pytest says"]
    rows = [["bare django.setup()", f"`{base['command']}`", base["wall_s"], base["wall_s"], "1.00x", "—", "—"]]
    rows[0] += ["—", "—", "—", f"1.00x ({base.get('cpu_s', '?')} s)", "—"]
    rows += [
        [
            row["name"],
            f"`{row['command']}`",
            row["wall_s"],
            row["baseline_s"],
            f"{row['ratio']:.2f}x",
            "—" if row["budget_ratio"] is None else f"{row['budget_ratio']:.2f}x ({row['tests']} tests)",
            yes_no(row["within_budget"]),
            row.get("tests_s", "?"),
            f"{row.get('server_s', '?')} ({row.get('server_tests', '?')} tests)",
            row.get("other_s", "?"),
            f"{row['cpu_ratio']:.2f}x" if row.get("cpu_ratio") else "?",
            row["outcome"],
        ]
        for row in results["rows"]
    ]
    note = (
        f"\n\nMedians of {results['repeats']} runs each; each run beside a run of the bare django.setup() "
        f'("django.setup() s": the median of those beside it; {base["runs"]} in all, '
        f'{base["min_s"]}–{base["max_s"]} s), so "x setup" compares like with like. "tests s": the seconds a '
        'worker spent in tests (set-up, call, teardown), "of them on a server s" in tests that talk to the test '
        'database, Redis or PostgreSQL (their round trips are the tests\' own work), "rest s" everything else (start-up, collection, the test '
        'database\'s set-up); "CPU x setup": the CPU seconds of the command and its workers over the bare '
        "setup's, which load on the machine moves far less than wall time."
    )
    return verdict + "\n\n" + table(headers, rows) + note


def echo(results: dict) -> str:
    headers = ["target", "route", "clients", "p50 ms", "p99 ms", "msg/s", "server CPU us/msg"]
    headers += ["p50 x ref", "time/msg x ref", "CPU x ref"]
    keys = ["p50_ms", "p99_ms", "msgs_per_s", "server_cpu_us_per_msg"]
    keys += ["p50_x_reference", "cost_x_reference", "cpu_x_reference"]
    rows = [
        [row["target"], f"`{row['path']}`" if row["path"] else "(any)", row["clients"], *measured(row, keys)]
        for row in results["rows"]
    ]
    return table(headers, rows)


def fanout(results: dict) -> str:
    headers = [
        "setup",
        "sockets",
        "median ms until all",
        "max ms",
        "broadcasts/s",
        "deliveries/s",
        "server CPU us/delivery",
    ]
    keys = ["median_ms", "max_ms", "broadcasts_per_s", "deliveries_per_s", "server_cpu_us_per_delivery"]
    return table(headers, [[row["setup"], row["sockets"], *measured(row, keys)] for row in results["rows"]])


def cost(results: dict) -> str:
    headers = ["layer", "sockets", "consumer", "median ms until all", "broadcasts/s", "server CPU us/delivery", "ratio"]
    keys = ["median_ms", "broadcasts_per_s", "server_cpu_us_per_delivery"]
    rows = []
    for row in results["rows"]:
        if row["status"] != "ok":
            rows.append([row["layer"], row["sockets"], "", row["status"]])
            continue
        goal = f"{'within' if row['within_goal'] else 'OVER'} the {results['goal']}x goal"
        verdict = f"{row['cpu_ratio']:.2f}x; {row['like_for_like_cpu_ratio']:.2f}x the hop-free relay ({goal})"
        rows.append([row["layer"], row["sockets"], "course chat", *(row["course"][key] for key in keys), verdict])
        rows.append([row["layer"], row["sockets"], "bare relay", *(row["relay"][key] for key in keys), "1.00x"])
        if "hop_free" in row:
            hop_free = row["hop_free"]
            verdict = f"{row['hop_free_cpu_ratio']:.2f}x (the sync-thread hop skipped)"
            rows.append([row["layer"], row["sockets"], "bare relay, hop-free", *(hop_free[k] for k in keys), verdict])
    return table(headers, rows)


def find(rows: list[dict], **match) -> dict | None:
    """The first measured row whose fields equal `match`."""
    return next((r for r in rows if r["status"] == "ok" and all(r.get(k) == v for k, v in match.items())), None)


def headlines(results: dict) -> list[str]:
    """A few sentences with the figures a lesson quotes, for whichever sections ran."""
    lines = []
    if "suite" in results:
        whole = results["suite"]["rows"][0]
        lessons = [row for row in results["suite"]["rows"] if row["name"].startswith("lesson")]
        slowest = max(lessons, key=lambda row: row["wall_s"], default=None)
        lines.append(f"Fast suite: {whole['wall_s']} s (budget {whole['budget_s']} s)")
        if slowest:
            lines.append(f"Slowest lesson: {slowest['name']}, {slowest['wall_s']} s (budget {slowest['budget_s']} s)")
    for target in ("01 SyncConsumer", "02 AsyncConsumer"):
        row = find(results.get("echo", {}).get("rows", []), target=target, clients=50)
        if row:
            lines.append(
                f"{target} echo, 50 clients: p50 {row['p50_ms']} ms, {row['msgs_per_s']} msg/s, "
                f"{row['cpu_x_reference']}x the reference's server CPU per message"
            )
    for setup in ("Redis core, 1 process", "Redis core, 2 processes"):
        row = find(results.get("fanout", {}).get("rows", []), setup=setup, sockets=100)
        if row:
            lines.append(
                f"Fan-out to 100 sockets, {setup}: {row['median_ms']} ms until all have it, "
                f"{row['broadcasts_per_s']} broadcasts/s"
            )
    for row in results.get("cost", {}).get("rows", []):
        if row["status"] == "ok":
            lines.append(
                f"Teaching code cost ({row['layer']} layer): {row['like_for_like_cpu_ratio']:.2f}x the hop-free "
                f"bare relay's CPU/delivery ({row['cpu_ratio']:.2f}x the stock relay's)"
            )
    if "save_median_ratio" in results.get("loop", {}).get("summary", {}):
        loop_summary = results["loop"]["summary"]
        lines.append(
            f"Student's loop under --watch: a save to its verdict {loop_summary['save_median_ratio']:.2f}x a bare "
            f"django.setup() (median; max {loop_summary['save_max_ratio']:.2f}x), cold first run "
            f"{loop_summary['cold_median_ratio']:.2f}x"
        )
    return lines + hop_free_headlines(results) + workshop_headlines(results)


def hop_free_headlines(results: dict) -> list[str]:
    """The stock dispatch against one that skips its sync-thread hop, measured in the same run."""
    lines = []
    stock, hop_free = (
        find(results.get("echo", {}).get("rows", []), target=target, clients=50)
        for target in ("02 AsyncConsumer", "02 AsyncConsumer, hop-free dispatch")
    )
    if stock and hop_free:
        lines.append(
            f"Hop-free dispatch, 02 echo at 50 clients: {stock['msgs_per_s']} -> {hop_free['msgs_per_s']} msg/s "
            f"({hop_free['msgs_per_s'] / stock['msgs_per_s']:.2f}x), {stock['server_cpu_us_per_msg']} -> "
            f"{hop_free['server_cpu_us_per_msg']} us server CPU per message "
            f"({hop_free['server_cpu_us_per_msg'] / stock['server_cpu_us_per_msg']:.2f}x)"
        )
    for row in results.get("cost", {}).get("rows", []):
        if row["status"] == "ok" and "hop_free" in row:
            lines.append(
                f"Hop-free dispatch, fan-out to {row['sockets']} ({row['layer']} layer): "
                f"{row['relay']['median_ms']} -> {row['hop_free']['median_ms']} ms until all, "
                f"{row['hop_free_cpu_ratio']:.2f}x the stock relay's CPU/delivery"
            )
    return lines


def workshop_headlines(results: dict) -> list[str]:
    """Lesson 17's room under a class: how soon the instructor's page shows a result, and at what CPU."""
    section = results.get("workshop", {})
    return [
        f"Workshop room, {section['students']} students, {row['setup']} ({row['database']}): the page shows a "
        f"result {row['delay_p50_ms']} ms after the check (p99 {row['delay_p99_ms']} ms; {row['reached']} of "
        f"{row['reports']} reached it), {row['server_cpu_percent']}% of a core"
        for row in section.get("rows", [])
        if row["status"] == "ok"
    ]


TITLES = {
    "suite": "Test-suite speed (fresh pytest process each, start-up included)",
    "echo": "Echo round trips under Daphne vs the websockets reference",
    "fanout": "Chat fan-out: one message to N sockets in a room",
    "cost": "Cost of the teaching code: course chat consumer vs bare relay, same server and layer",
    "inspector": "The inspector's cost: off, on, and on with a page watching (server CPU)",
    "workshop": "The workshop room under a class: the instructor page's update delay and the server's CPU",
    "loop": "The student's loop: from a save to the verdict under `exercise NN.K --watch`, every exercise",
}


def inspector(results: dict) -> str:
    """The inspector section's table: CPU per echo and per chat delivery, and each against "off"."""
    if results["status"] != "ok":
        return results["status"]
    headers = ["inspector", "echo CPU us/msg", "x off", "chat CPU us/delivery", "x off"]
    rows = [
        [r["config"], r["echo_cpu_us"], f"{r['echo_ratio']:.2f}x", r["chat_cpu_us"], f"{r['chat_ratio']:.2f}x"]
        for r in results["rows"]
    ]
    note = (
        f"\n\n{results['clients']} echo clients x {results['frames']} frames and a {results['room_size']}-socket "
        f"chat room, {results['blocks']} alternating blocks; medians."
    )
    return table(headers, rows) + note


def workshop(results: dict) -> str:
    """One row per setup: did every report reach the instructor's page, how late, and at what CPU."""
    page = results.get("page_budget_ms", 2000)
    headers = ["setup", "layer", "database", "reports", "reached the page", "delay p50 ms", "delay p99 ms"]
    headers += [f"over {page} ms", "report p99 ms", "server CPU ms/report", "server CPU % of a core"]
    headers += ["PostgreSQL CPU % of a core"]
    rows = []
    for row in results["rows"]:
        base = [row["setup"], LAYERS[row["layer"]], row["database"]]
        if row["status"] != "ok":
            rows.append([*base, row["status"]])
            continue
        reached = f"{row['reached']} of {row['reports']}" + (f" ({row['failed']} failed)" if row["failed"] else "")
        if row.get("by_refresh"):  # rows measured before the bench counted it have no such key
            reached += f" ({row['by_refresh']} by the 5 s refresh)"
        postgres = "—" if row["database_cpu_percent"] is None else row["database_cpu_percent"]
        over = f" ({row['over_budget']} over {row['report_budget_ms']})" if row["over_budget"] else ""
        late = row.get("over_page_budget", "—")
        delays = [row["delay_p50_ms"], row["delay_p99_ms"], late, f"{row['report_p99_ms']}{over}"]
        cpu = [row["server_cpu_ms_per_report"], row["server_cpu_percent"], postgres]
        rows.append([*base, row["reports"], reached, *delays, *cpu])
    note = (
        f"\n\n{results['students']} students, each running a check every {results['every_s']:g} s (one short socket "
        f"per report), {results['watching']} of them also holding a watch socket (a heartbeat every "
        f"{results['heartbeat_s']:g} s); {results['window_s']:g} s measured per setup, on {results['measured']}."
        f" `over {page} ms`: reports the page showed later than that after the check ended, or never;"
        ' `by the 5 s refresh`: reports whose {"student": ...} the Redis layer lost (django/channels#1683),'
        ' shown by the page\'s next {"room": ...}.'
    )
    cost = results.get("report_cost", {})
    if cost.get("status") == "ok":
        note += (
            f"\n\nWhat a report can cost a student's run: joined to a room that never answers, `exercise` took at"
            f" most {cost['hung_room_max_ms']} ms more over {cost['runs']} fresh runs (budget {cost['budget_ms']} ms;"
            f" the client gives up at {cost['client_budget_ms']} ms); {cost['over_budget']} over."
        )
    elif cost:
        note += f"\n\nWhat a report can cost a student's run: {cost.get('status')}"
    return table(headers, rows) + note


def loop(results: dict) -> str:
    """A line of verdicts against the budgets, then the slowest exercises' rows (the JSON holds every one)."""
    summary, budgets = results["summary"], results["budgets"]
    if "save_median_ratio" not in summary:
        return f"No exercise's loop could be measured: {', '.join(summary['errors'])}."
    verdict = (
        f"{summary['exercises']} exercises, from a save to the verdict: median {summary['save_median_ratio']:.2f}x"
        f" (budget {budgets['save_median']:g}x), max {summary['save_max_ratio']:.2f}x (budget {budgets['save_max']:g}x)"
        f"; the cold first run: median {summary['cold_median_ratio']:.2f}x (budget {budgets['cold_first']:g}x), max"
        f" {summary['cold_max_ratio']:.2f}x; {'within' if summary['within'] else 'OVER'}."
    )
    for key, words in (("wrong_verdicts", "not told failed, failed, passed"), ("errors", "not measured")):
        if summary[key]:
            verdict += f" {words}: {', '.join(summary[key])}."
    headers = ["exercise", "django.setup() s", "cold first s", "x", "save->mistake s", "x", "save->solution s", "x"]
    rows = {row["exercise"]: row for row in results["rows"]}
    shown = [rows[name] for name in summary["slowest"]]
    body = [
        [row["exercise"], row["baseline_s"], row["cold_first_s"], f"{row['cold_ratio']:.2f}x", row["mistake_s"]]
        + [f"{row['mistake_ratio']:.2f}x", row["solution_s"], f"{row['solution_ratio']:.2f}x"]
        for row in shown
    ]
    note = (
        f"\n\nThe {len(shown)} slowest exercises (by their slower save); each beside bare django.setup() runs"
        " just before and after its watch (their mean); the mistake is its first kept one. Load average at the start:"
        f" {results['load_average_at_start']}."
    )
    return verdict + "\n\n" + table(headers, body) + note


LAYERS = {"memory": "in-memory", "core": "Redis core"}
RENDER = {"suite": suite, "echo": echo, "fanout": fanout, "cost": cost, "inspector": inspector, "workshop": workshop}
RENDER["loop"] = loop


def section(name: str, results: dict) -> str:
    """One section's heading and table."""
    return f"## {TITLES[name]}\n\n{RENDER[name](results)}\n"


def document(results: dict, sections: list[str]) -> str:
    """The whole report: heading, machine, every section that ran."""
    parts = [
        "# Channels Lessons benchmark\n",
        f"Run {results['started']} with `{results['command']}`, {results['duration_s']} s in all.\n",
        machine(results["machine"]) + "\n",
    ]
    parts += ["## Headlines\n", "\n".join(f"- {line}" for line in headlines(results)) + "\n"]
    parts += [section(name, results[name]) for name in sections]
    return "\n".join(parts)
