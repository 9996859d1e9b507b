# A read timeout alone, set past the blocking read (10 s against 5 s): no keepalive needed, the timeout itself finds a dead Redis.
"""Alternative 05.5: socket_timeout 10 s, twice the layer's blocking read, and nothing else.

A quiet channel's read (BZPOPMIN) is answered by Redis after at most 5 s
and a moment, so a 10 s read timeout never ends it first. Because reads do
still time out, a Redis that vanished without a word is noticed within 10 s
by the timeout itself: no TCP keepalive is needed for that. (The course's
own setting, lessons/channel_config.py, prefers no read timeout at all: with
any timeout, redis-py wraps each send in asyncio.wait_for, which on Python
3.11 can swallow a cancellation. The task does not ask for that.)
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 10}],  # seconds: past the layer's 5 s blocking read
        },
    },
}
