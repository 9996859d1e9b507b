"""Exercise 15.1, solved: one host entry whose primary Sentinel names (lessons/channel_config.py does the same)."""

from typing import Any

from lessons.channel_config import redis_host


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    """One host entry for CHANNEL_LAYERS' "hosts", whose primary Sentinel names."""
    host = redis_host("")  # lesson 05's redis-py 8 settings for the primary...
    del host["address"]  # ...whose address Sentinel gives
    pairs = []
    for entry in sentinels.split(","):
        name, _, port = entry.strip().rpartition(":")
        pairs.append((name.strip("[]"), int(port)))  # "[::1]:26379" -> ("::1", 26379)
    host.update(sentinels=pairs, master_name=master)
    return host
