"""Wrong 15.1: right sentinels and name, but redis-py 8's defaults for the primary: its 5 s socket_timeout
ends the core layer's 5 s blocking read, and every idle socket fails (lesson 05).

The check says: "expected lesson 05's settings"
"""

from typing import Any


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    pairs = []
    for entry in sentinels.split(","):
        name, _, port = entry.strip().rpartition(":")
        pairs.append((name, int(port)))
    return {"sentinels": pairs, "master_name": master}
