# Every option spelled out: hosts a tuple, the project's own prefix, capacity and group_expiry at their defaults.
"""Alternative 05.3: RedisChannelLayer with its options written out, the same in every process.

The prefix names the project (every process must use the same one, or they
never meet), capacity keeps the default 100 a channel, past the lesson's
burst of 20, and group_expiry keeps the default day; the host is REDIS_URL
whole, read once.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": (REDIS_URL,),
            "prefix": "myproject",
            "capacity": 100,  # messages a channel: above the lesson's burst of 20
            "group_expiry": 86400,  # seconds: a day, the default
        },
    },
}
