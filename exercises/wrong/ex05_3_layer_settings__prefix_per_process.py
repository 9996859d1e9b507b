"""Wrong: every process must use the same layer prefix; a per-process prefix splits one Redis into private layers.

A prefix with the pid in it makes each process's groups invisible to the
others: the in-memory layer's problem again, on Redis.

The check says: "the other process's group_send never arrived here (got nothing"
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"chat-{os.getpid()}"},
    },
}
