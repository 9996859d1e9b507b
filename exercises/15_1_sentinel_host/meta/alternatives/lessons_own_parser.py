"""Alternative 15.1, the lesson's own helpers: sentinel_addresses() parses, redis_host() settles the settings.

Still right: lessons/channel_config.py already reads REDIS_SENTINELS into (host, int port) pairs, brackets
off and spaces stripped, so the exercise reuses it; dict(...) builds a new host on every call from a
fresh redis_host(""), every setting but the address, plus the sentinels and the master's name.
"""

from typing import Any

from lessons.channel_config import redis_host, sentinel_addresses


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    """One host entry for CHANNEL_LAYERS' "hosts", whose primary Sentinel names."""
    settings = {key: value for key, value in redis_host("").items() if key != "address"}
    return dict(settings, sentinels=sentinel_addresses(sentinels), master_name=master)
