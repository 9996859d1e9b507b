"""Solution 05.3: RedisChannelLayer on the shared Redis, the same prefix in every process.

Why: InMemoryChannelLayer keeps its groups and queues in a dict inside one
Python process; another process has its own, empty one, so its group_send
reaches nobody here (Channels' docs: for testing and local development
only). A Redis layer keeps them in Redis, where every process that uses the
same hosts and prefix sees the same groups (lesson 05).
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    },
}
