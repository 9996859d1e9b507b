"""`python manage.py doctor`: is this machine ready for the workshop?

One line per check, `ok`, `warn` (fine but for some lessons) or `FAIL`, with the fix; exits 1 if any fail.
"""

import asyncio
import importlib
import re
import sys
from importlib import metadata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workshop.connection import joined

REDIS_HELP = (
    "start Redis: `sudo apt-get install redis-server` (Debian/Ubuntu), "
    "`brew install redis && brew services start redis` (macOS), "
    "`docker run -p 6379:6379 redis:7` (Docker), or Memurai (Windows); "
    "or unset REDIS_URL to use the in-memory layer"
)
LAYER_TIMEOUT = 3  # seconds; a layer that cannot answer in this time is broken
# The one-line fix for a system-check error a student can cause by editing settings.
SYSTEM_CHECK_FIXES = {
    "daphne.E001": "move 'daphne' back to the top of INSTALLED_APPS in lessons/settings.py",
}


class CheckFailed(Exception):
    """A check's failure, carrying the fix to print."""


class CheckWarned(Exception):
    """A check that passes for most lessons but not all, carrying which and the fix to print."""


class Command(BaseCommand):
    help = "Check this machine for the workshop: versions, settings, database, channel layer, Redis."
    # Django would run its system checks before handle() and stop with a traceback
    # (daphne.E001, for one) before any line is printed: check_django runs them as a line.
    requires_system_checks = []

    def handle(self, *args, **options):
        redis_line = "Redis reachable through Sentinel" if settings.REDIS_SENTINELS else "Redis reachable (REDIS_URL)"
        checks = [
            ("Python 3.11-3.14", check_python),
            ("packages match their pinned set", check_packages),
            ("Django system checks", check_django),
            ("daphne is first in INSTALLED_APPS", check_daphne_first),
            ("ASGI_APPLICATION imports", check_asgi_application),
            ("migrations applied", check_migrations),
            (redis_line, check_redis),
            ("channel layer round trip", check_channel_layer),
            ("open files per process (each socket is one)", check_open_files),
            ("sockets this machine holds with its limits", check_machine_sockets),
        ]
        failures, warnings, redis_failed = [], [], False  # each "<check>: <why>"
        for name, check in checks:
            if check is check_channel_layer and redis_failed:
                # Its round trip would only wait LAYER_TIMEOUT on the Redis that just failed to answer.
                failures.append(f"{name}: not tried, the Redis line above failed")
                self.stdout.write(self.style.ERROR(f"FAIL  {failures[-1]}"))
                continue
            try:
                detail = check()
            except CheckFailed as failure:
                failures.append(f"{name}: {failure}")
                redis_failed = redis_failed or check is check_redis
                self.stdout.write(self.style.ERROR(f"FAIL  {failures[-1]}"))
            except CheckWarned as warning:
                warnings.append(f"{name}: {warning}")
                self.stdout.write(self.style.WARNING(f"warn  {warnings[-1]}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"ok    {name}") + (f" ({detail})" if detail else ""))
        if failures:
            self.stdout.write(f"{len(failures)} check(s) failed; fix them and run `python manage.py doctor` again.")
        else:
            warned = f", but read the {len(warnings)} warning(s) above." if warnings else "."
            self.stdout.write("All checks passed: you are ready" + warned)
        if joined():  # lesson 17: only once `workshop join` saved a connection
            from workshop.client import report_doctor  # only once joined: the doctor never needs the room

            report_doctor(failures, warnings, self.stderr)
        if failures:
            sys.exit(1)


SUPPORTED_PYTHONS = ((3, 11), (3, 14))  # both ends included


def check_python() -> str:
    version = sys.version_info[:2]
    low, high = SUPPORTED_PYTHONS
    if not low <= version <= high:
        raise CheckFailed(
            f"found Python {version[0]}.{version[1]}; the course runs on 3.11 to 3.14: "
            "install one (3.13 is a good choice), then `rm -rf .venv && make install`"
        )
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("Django", "channels", "daphne"))
    return f"Python {sys.version.split()[0]}; {versions}"


def pinned_set() -> tuple[str, list[tuple[str, str]]]:
    """The requirements file this environment was installed from (the one whose Django it has), and its pins."""
    django = metadata.version("Django")
    for name in ("requirements.txt", "requirements-django6.txt"):
        pins = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)$", (settings.BASE_DIR / name).read_text(), re.M)
        if ("Django", django) in pins:
            return name, pins
    return "requirements.txt", re.findall(
        r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)$", (settings.BASE_DIR / "requirements.txt").read_text(), re.M
    )


def check_packages() -> str:
    wrong = []
    name_of_set, pins = pinned_set()
    for name, pinned in pins:
        name = name.split("[")[0]
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != pinned:
            wrong.append(f"{name} {installed} (want {pinned})")
    if wrong:
        raise CheckFailed(", ".join(wrong) + f"; run `make install` (pip install -r {name_of_set})")
    return f"{len(pins)} pins of {name_of_set}"


def check_django() -> str:
    from django.core import checks

    errors = [message for message in checks.run_checks() if message.is_serious()]
    if errors:
        raise CheckFailed(
            "; ".join(f"{e.id}: {e.msg} Fix: {SYSTEM_CHECK_FIXES.get(e.id, e.hint or '')}" for e in errors)
        )
    return ""


def check_daphne_first() -> str:
    if settings.INSTALLED_APPS[0] != "daphne":
        raise CheckFailed(
            f"INSTALLED_APPS starts with {settings.INSTALLED_APPS[0]!r}; put 'daphne' first "
            "or runserver stays WSGI and every WebSocket fails"
        )
    return ""


def check_asgi_application() -> str:
    module_name, _, attribute = settings.ASGI_APPLICATION.rpartition(".")
    try:
        getattr(importlib.import_module(module_name), attribute)
    except Exception as error:  # any import failure is what the student must see
        raise CheckFailed(f"cannot import {settings.ASGI_APPLICATION}: {error!r}") from error
    return settings.ASGI_APPLICATION


def check_migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        raise CheckFailed(f"cannot read the database: {error}; run `python manage.py migrate`") from error
    if plan:
        raise CheckFailed(f"{len(plan)} migration(s) not applied; run `python manage.py migrate`")
    return ""


def redis_urls() -> list[str]:
    """The Redis servers REDIS_URL names (several, comma-separated, when sharded)."""
    return [url.strip() for url in (settings.REDIS_URL or "").split(",") if url.strip()]


def shown(url: str) -> str:
    """A Redis URL as printed: its password as ***. Lines reach bug reports, and a workshop's instructor page."""
    parts = urlsplit(url)
    netloc = f"{parts.username or ''}:***@{parts.netloc.rpartition('@')[2]}"
    return url if parts.password is None else parts._replace(netloc=netloc).geturl()


UNREADABLE = "REDIS_URL is not a URL redis-py can read ({}); fix it, or unset REDIS_URL to use the in-memory layer"


def unreadable_redis_url(url: str) -> str | None:
    """Why redis-py cannot read this URL, in words that never quote its password; None if it can."""
    import redis

    scheme, _, rest = url.partition("://")
    # urlsplit ends the host part at the first / ? or #: one in the password leaves an @ behind it.
    if "@" in rest and any(mark in rest.rpartition("@")[0] for mark in "/?#"):
        return "a /, ? or # in the password: percent-escape it (%2F, %3F, %23)"
    try:
        redis.ConnectionPool.from_url(url).make_connection()  # reads every part; connects to nothing
    except TypeError as error:  # a query parameter that no connection takes
        unknown = re.search(r"keyword argument '([^']+)'", str(error))
        return f"a query parameter redis-py does not know: {unknown[1] if unknown else '?'}"
    except ValueError as error:
        named = re.search(r"Invalid value for '([^']+)'", str(error))
        if named:
            return f"redis-py cannot read its {named[1]}"
        if "scheme" in str(error) or "out of range" in str(error):
            return str(error).rstrip(".")  # no part of the URL in these
        return "its host, port or password cannot be told apart: percent-escape / ? # @ : in the password"
    return None


def unreachable_redis() -> list[str]:
    """Each REDIS_URL server that does not answer PING, with the error."""
    import redis

    failures = []
    for url in redis_urls():
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as error:
            failures.append(f"{shown(url)} ({error})")
    return failures


# Below this soft limit (a macOS shell's is 256) a server holds too few sockets for lessons 14 and 16.
OPEN_FILES_WANTED, OPEN_FILES_RAISED = 1024, 4096


def check_open_files() -> str:
    """The soft open-files limit: a server process at it refuses new sockets, often without a log line."""
    try:
        import resource
    except ImportError:  # Windows has no such limit per process
        return "no per-process limit on this system"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return "unlimited"
    if soft < OPEN_FILES_WANTED:
        raised = OPEN_FILES_RAISED if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_RAISED)
        if raised < OPEN_FILES_WANTED:
            fix = f"the hard limit is {hard}: raise it as root (`ulimit -Hn`, /etc/security/limits.conf)"
        else:
            fix = f"run `ulimit -n {raised}` in each terminal before starting a server"
        raise CheckWarned(
            f"{soft} is below {OPEN_FILES_WANTED}: one server process holds fewer than {soft} sockets, "
            f"too few for lessons 14 and 16; {fix} (lesson 14)"
        )
    raise_it = f"`ulimit -n {hard}` raises it here" if hard != resource.RLIM_INFINITY else "`ulimit -n` raises it"
    return f"{soft}: one server process holds fewer than {soft} sockets; {raise_it} (lesson 14)"


def check_machine_sockets() -> str:
    """Lesson 14: this machine's limits divided by what one socket costs (bench/capacity/machine.py)."""
    try:
        from bench.capacity.machine import summary  # the model lives with the benchmark, beside the course
    except ImportError as error:
        return f"not measured here ({error})"
    return summary()


def check_redis() -> str:
    if settings.CHANNEL_LAYER == "postgres":  # lesson 15: the round trip below tries PostgreSQL
        return "CHANNEL_LAYER=postgres: channels_postgres on POSTGRES_URL, no Redis needed"
    if settings.REDIS_SENTINELS:
        return check_sentinels()
    if not settings.REDIS_URL:
        return "REDIS_URL unset: using the in-memory layer, no Redis needed"
    unreadable = [why for why in map(unreadable_redis_url, redis_urls()) if why]
    if unreadable:
        raise CheckFailed(UNREADABLE.format("; ".join(unreadable)))
    failures = unreachable_redis()
    if failures:
        raise CheckFailed(f"no Redis answers at {', '.join(failures)}; {REDIS_HELP}")
    return ", ".join(map(shown, redis_urls()))


def check_sentinels() -> str:
    """REDIS_SENTINELS (lesson 15): a sentinel names the primary, and the primary answers."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from lessons.channel_config import sentinel_addresses

    # One try each: redis-py 8 retries a refused connection 10 times with backoff by
    # default (about 3 s a sentinel), and a doctor should say at once what is down.
    once = {"socket_connect_timeout": 2, "socket_timeout": 2, "retry": Retry(NoBackoff(), 0)}
    master, problems = settings.REDIS_SENTINEL_MASTER, []
    for host, port in sentinel_addresses(settings.REDIS_SENTINELS):
        try:
            with redis.Redis(host=host, port=port, decode_responses=True, **once) as sentinel:
                primary = sentinel.sentinel_get_master_addr_by_name(master)
            if primary is None:
                problems.append(f"the sentinel at {host}:{port} watches no {master!r}")
                continue
            with redis.Redis(host=primary[0], port=int(primary[1]), **once) as server:
                server.ping()
        except redis.RedisError as error:
            problems.append(f"{host}:{port} ({error})")
            continue
        return f"primary {primary[0]}:{primary[1]}, named by the sentinel at {host}:{port}"
    raise CheckFailed(
        f"no sentinel names a primary that answers: {'; '.join(problems)}; start them from deploy/sentinel.conf "
        "(lessons/15-layers-in-production.md), or unset REDIS_SENTINELS"
    )


def check_channel_layer() -> str:
    from channels.layers import get_channel_layer

    if not settings.REDIS_SENTINELS and settings.REDIS_URL and any(map(unreadable_redis_url, redis_urls())):
        raise CheckFailed("not tried: the channel layer cannot read REDIS_URL (see above)")
    if not settings.REDIS_SENTINELS and settings.REDIS_URL and unreachable_redis():
        # The layer would retry for seconds before failing; the Redis line already says why.
        raise CheckFailed("not tried: the channel layer needs the Redis that does not answer (see above)")
    layer = get_channel_layer()
    backend = type(layer).__name__
    try:
        asyncio.run(asyncio.wait_for(_round_trip(layer), LAYER_TIMEOUT))
    except Exception as error:
        where = "`python manage.py migrate --database channels_postgres` and POSTGRES_URL"
        raise CheckFailed(
            f"{backend} failed a send/receive/group_send: {error!r}; check CHANNEL_LAYERS and "
            + (where if settings.CHANNEL_LAYER == "postgres" else "Redis")
        ) from error
    return backend


async def _round_trip(layer) -> None:
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "doctor.ping"})
    if (await layer.receive(channel))["type"] != "doctor.ping":
        raise RuntimeError("send then receive returned another message")
    await layer.group_add("doctor", channel)
    await layer.group_send("doctor", {"type": "doctor.group"})
    message = await layer.receive(channel)
    await layer.group_discard("doctor", channel)
    if message["type"] != "doctor.group":
        raise RuntimeError("group_send did not reach the group's member")
