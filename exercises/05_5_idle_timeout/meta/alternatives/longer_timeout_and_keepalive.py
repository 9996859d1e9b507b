# A read timeout kept but made far longer than the blocking read (30 s), with TCP keepalive beside it.
"""Alternative 05.5: socket_timeout 30 s, well past the layer's 5 s blocking read (BZPOPMIN).

A quiet channel's read is answered by Redis after at most 5 s (and a
moment), so a 30 s read timeout never ends it first; a Redis that vanished
still ends a read after 30 s, and keepalive notices a dead peer too.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_keepalive": True}],
        },
    },
}
