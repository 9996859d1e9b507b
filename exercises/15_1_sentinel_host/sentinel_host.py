"""Exercise 15.1: Find the primary through Sentinel.

sentinel_host(sentinels, master) turns REDIS_SENTINELS ("host:port,host:port";
an IPv6 sentinel in brackets, "[::1]:26379") and the primary's name into one
channels-redis host entry: no address of its own, the sentinels as (host, port)
pairs, the master's name, and every redis-py 8 setting lesson 05 proves for one
server (lessons/channel_config.py's redis_host).

Rules (the check proves each one, and nothing else):

1. The entry has no "address": Sentinel says where the primary is.
2. "sentinels" holds one (host, port) pair per entry, in the given order: the
   host without the spaces around it or an IPv6 address's brackets, the port
   an int ("[::1]:26379" -> ("::1", 26379)).
3. "master_name" is the name given, so channels-redis asks Sentinel for it
   (its create_pool() makes a SentinelConnectionPool of the entry).
4. Every other key is redis_host("")'s, with the same value (socket_timeout
   None, max_connections 1000, a retry, ...).
5. Each call returns a new dict: a later call never changes an earlier one's.
6. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 15.1

The check is exercises/15_1_sentinel_host/check.py; once you have tried,
`python manage.py exercise 15.1 --solution` shows where the solution is.
"""

from typing import Any

from lessons.channel_config import redis_host  # noqa: F401  (lesson 05's settings for one server)


def sentinel_host(sentinels: str, master: str = "mymaster") -> dict[str, Any]:
    """One host entry for CHANNEL_LAYERS' "hosts", whose primary Sentinel names."""
    # TODO: the sentinels as (host, int port) pairs under "sentinels", the name under "master_name",
    # and lesson 05's settings for the primary; no "address": Sentinel says where the primary is.
    first = sentinels.split(",")[0]
    return {"address": f"redis://{first}/0"}
