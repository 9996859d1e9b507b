"""Solution 05.5: give the host its options as a dict, with "socket_timeout": None and TCP keepalive.

Why: the core layer's receive() is a blocking read (BZPOPMIN) that waits up
to 5 s for a message. redis-py 8 gives every connection a 5 s
socket_timeout by default (before 8: none), so on a quiet channel the read
times out first and receive() raises TimeoutError: the consumer crashes.
With no read timeout the blocking read waits as long as the layer asks,
and TCP keepalive still finds a dead server (lessons/channel_config.py does
the same, and says why not just a larger timeout).
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": None, "socket_keepalive": True}],
        },
    },
}
