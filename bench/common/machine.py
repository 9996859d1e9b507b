"""The machine the figures were measured on: they mean little without it."""

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import redis

PACKAGES = ("Django", "channels", "daphne", "channels-redis", "redis", "msgpack", "Twisted", "autobahn", "websockets")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages on the measured path."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def redis_version(url: str) -> str:
    """The Redis server's version, or why there is none."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        info = client.info("server")
        client.close()
        return info["redis_version"]
    except redis.RedisError as error:
        return f"unavailable ({error})"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: anything well above 0 means other programs shared the cores."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def describe(redis_url: str) -> dict:
    """Cores, CPU, OS, Python, package versions, Redis version and load, for the JSON and the table."""
    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": package_versions(),
        "redis_server": redis_version(redis_url),
        "load_average_at_start": load_average(),
    }
