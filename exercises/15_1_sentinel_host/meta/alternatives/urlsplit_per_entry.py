"""Alternative 15.1, each entry read by urllib.parse.urlsplit as "//host:port": the standard library knows IPv6 brackets.

Still right: urlsplit("//[::1]:26379") gives hostname "::1" (brackets off) and port 26379 (an int), and
"//10.0.0.8:26379" gives ("10.0.0.8", 26379); the spaces around an entry are stripped first; the rest is
a fresh redis_host("") with its address popped, so no call shares a dict with another.
"""

from typing import Any
from urllib.parse import urlsplit

from lessons.channel_config import redis_host


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    """One host entry for CHANNEL_LAYERS' "hosts", whose primary Sentinel names."""
    host = redis_host("")
    host.pop("address")  # Sentinel says where the primary is
    urls = [urlsplit("//" + entry.strip()) for entry in sentinels.split(",")]
    host["sentinels"] = [(url.hostname, url.port) for url in urls]
    host["master_name"] = master
    return host
