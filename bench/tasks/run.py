"""How many tasks a second one `manage.py db_worker` runs, how long a progress message takes from the
worker's group_send to a socket, and how long a small task waits beside another client's flood (lesson 18).

One Daphne and `db_worker --batch` runs (each runs what is queued, then exits), both on Redis and on a
SQLite database made for the run (migrated, then removed); the run's Redis keys are under a prefix of
their own, deleted after.

    throughput  N tasks enqueued, then one worker runs them: tasks a second from the first start to the
                last finish, read from the rows (started_at, finished_at). bench.tasks.jobs.nothing, and
                count_primes(below=1): no counting, but its 20 progress messages and its "finished"
    latency     a ws/tasks/ socket follows a task; bench.tasks.jobs.timed_progress, run by the worker,
                sends 200 progress messages to that task's group through tasks_demo.tasks.tell_sockets,
                10 ms apart, noting the time of each; the socket notes each arrival (one machine, one clock)
    fairness    one client's budget of the biggest tasks, then another client's {"below": 10}: its wait,
                first in first out and with the fair share (bench/tasks/fairness.py)

    .venv/bin/python bench/tasks/run.py [--small]
    .venv/bin/python bench/tasks/run.py --fairness    # that section alone (printed, not written)
    .venv/bin/python bench/tasks/run.py --reference   # rewrite bench/tasks/reference.md
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))  # run as a script: make `bench` and `course` importable

from bench.common.options import small_or_reference, switches  # noqa: E402
from bench.tasks import fairness  # noqa: E402
from harness.servers import DaphneServer, daphne_env, delete_prefixed_keys  # noqa: E402

WORKER = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"]


def run_the_queue(env: dict[str, str]) -> None:
    """One worker process runs every task waiting, then exits."""
    subprocess.run(WORKER, cwd=REPO_DIR, env=env, check=True, capture_output=True)


def throughput(env: dict[str, str], task, count: int, **kwargs) -> dict:
    """`count` tasks of `task` enqueued, then run by one worker: tasks a second, from the rows' own times."""
    from django_tasks_db.models import DBTaskResult

    ids = [task.enqueue(**kwargs).id for _ in range(count)]
    run_the_queue(env)
    rows = DBTaskResult.objects.filter(id__in=ids)
    first = min(rows.values_list("started_at", flat=True))
    last = max(rows.values_list("finished_at", flat=True))
    seconds = (last - first).total_seconds()
    return {"tasks": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1)}


async def latency(server: DaphneServer, env: dict[str, str], count: int) -> dict:
    """The socket's arrival time of each timed message, less the worker's time of its send."""
    from bench.common.clients import ms, open_socket, percentile
    from bench.tasks.jobs import TIMED, timed_progress
    from tasks_demo.tasks import count_primes

    socket = await open_socket(server.ws_url("ws/tasks/"))
    await socket.send(json.dumps({"below": 1}))
    target = json.loads(await socket.recv())["id"]  # the socket now follows this task's group
    timed = await asyncio.to_thread(lambda: timed_progress.enqueue(target=target, count=count, gap=0.01).id)
    arrived: dict[int, float] = {}
    worker = asyncio.create_task(asyncio.to_thread(run_the_queue, env))
    while len(arrived) < count:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 60))
        if frame.get("percent", 0) >= TIMED:
            arrived[frame["percent"] - TIMED] = time.time()
    await worker
    await socket.close()
    sent = (await asyncio.to_thread(count_primes.get_backend().get_result, timed)).return_value
    took = [arrived[n] - sent[n] for n in range(count)]
    return {"messages": count, "p50_ms": ms(percentile(took, 0.5), 2), "p99_ms": ms(percentile(took, 0.99), 2),
            "max_ms": ms(max(took), 2)}  # fmt: skip


def run(small: bool = False, fairness_only: bool = False) -> dict:
    """The three questions on one Daphne, one database and one Redis prefix, all made for this run."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tasks-") as folder:
        env = daphne_env(None, redis_url, prefix)
        env.update(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO_DIR, env=env, check=True,
                       capture_output=True)  # fmt: skip
        os.environ.update(
            {key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER", "CHANNEL_LAYER_PREFIX")}
        )
        import django

        django.setup()
        from bench.tasks.jobs import nothing
        from tasks_demo.tasks import count_primes

        count = 100 if small else 500
        results = {}
        if not fairness_only:
            results["nothing"] = throughput(env, nothing, count)
            results["count_primes"] = throughput(env, count_primes, count, below=1)
            server = DaphneServer(env)
            try:
                results["latency"] = asyncio.run(latency(server, env, 50 if small else 200))
            finally:
                server.stop()
        try:
            results["fairness"] = fairness.run(env)
        finally:
            delete_prefixed_keys(redis_url, prefix)
    results["run_seconds"] = round(time.perf_counter() - began, 1)
    return results


def markdown(results: dict) -> str:
    from bench.common.report import table

    rows = [
        [name, row["tasks"], row["seconds"], row["per_second"]]
        for name, row in (("nothing (returns at once)", results.get("nothing")),
                          ("count_primes(below=1): 20 progress messages and a finished", results.get("count_primes")))
        if row
    ]  # fmt: skip
    late = results.get("latency")
    tables = (
        []
        if late is None
        else [
            table(["task, one worker", "tasks", "seconds", "tasks/s"], rows),
            table(
                ["progress messages, worker's send to the socket", "p50 ms", "p99 ms", "max ms"],
                [[f"{late['messages']}, 10 ms apart, on Redis core", late["p50_ms"], late["p99_ms"], late["max_ms"]]],
            ),
        ]
    )
    return "\n\n".join(
        tables
        + [table(["queue order, one worker", "victim's {\"below\": 10} waited s", "flood's tasks run before it",
                 "it came s after the flood's first started", "one {\"below\": 2000000} took s"],
                [[order, row["victim_wait_s"], row["flood_tasks_run_first"], row["arrived_after_s"],
                  row["biggest_task_s"]] for order, row in results["fairness"].items()])]
    )  # fmt: skip


def reference_document(results: dict) -> str:
    """bench/tasks/reference.md: the tables, and when and where they were measured."""
    from bench.common import machine
    from bench.common.report import machine as describe

    info = machine.describe(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# One db_worker's pace, its progress messages' latency, a small task beside a flood: one run of `bench/tasks/run.py`, {stamp}\n\n"
        "The machine was shared with other work while this ran: the figures are one run's, not a best case.\n\n"
        f"{describe(info)}\n\n"
        "django-tasks-db on SQLite (the course's default database), one `db_worker --batch` process, polling\n"
        "with no pause. A task's rows are read back for its start and finish; a message's send and arrival\n"
        "times are taken on the same machine's clock. The fairness rows: one client's 3 tasks (its budget) of\n"
        '{"below": 2000000}, then another client\'s {"below": 10}, its wait from its row\'s enqueued_at to\n'
        "finished_at; first in first out is every task at priority 0, as before the fair share.\n\n"
        f"{markdown(results)}\n"
    )


def arguments(argv: list[str]):
    small = "100 tasks of each kind, 50 timed messages"
    fair = "only the fair share: a victim's small task beside one client's flood (printed, never written)"
    args = switches(__doc__, argv, small=small, fairness=fair, reference="rewrite bench/tasks/reference.md")
    if args.fairness and args.reference:
        raise SystemExit("--fairness runs one section: --reference needs the whole run")
    return args


if __name__ == "__main__":
    reference = REPO_DIR / "bench/tasks/reference.md"
    if arguments(sys.argv[1:]).fairness:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
        print(markdown(run(fairness_only=True)))
    else:
        small_or_reference(sys.argv[1:], arguments, run, markdown, reference_document, reference)
