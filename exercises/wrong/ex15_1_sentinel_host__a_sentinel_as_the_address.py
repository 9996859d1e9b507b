"""Wrong 15.1: the first sentinel's address as if it were Redis: the layer talks to a sentinel, which has
no BZPOPMIN, and never learns of a failover.

The check says: "expected no "address" (Sentinel names the primary)"
"""

from typing import Any

from lessons.channel_config import redis_host


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    return redis_host(f"redis://{sentinels.split(',')[0].strip()}/0")
