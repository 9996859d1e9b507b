"""Wrong 15.1: the ports stay strings ("26379"), so the sentinels' addresses are not (host, port) pairs.

The check says: "(ports as numbers)"
"""

from typing import Any

from lessons.channel_config import redis_host


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    host = redis_host("")
    del host["address"]
    host.update(sentinels=[tuple(entry.strip().split(":")) for entry in sentinels.split(",")], master_name=master)
    return host
