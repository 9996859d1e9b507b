"""Wrong: every host form gets redis-py 8's 5 s default read timeout unless it says otherwise; a tuple says nothing.

Writing the host as ("127.0.0.1", 6379) instead of a URL changes how it is
spelled, not its socket_timeout.

The check says: "host {'host': '127.0.0.1', 'port': 6379}: its connections read"
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [("127.0.0.1", 6379)]},
    },
}
