"""Wrong: the read timeout is a connection option of each host; the layer's CONFIG does not take it.

"socket_timeout" next to "hosts" is an argument RedisChannelLayer does not
have: TypeError at the first use of the layer.

The check says: "the layer cannot be built from your setting: TypeError"
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "socket_timeout": None},
    },
}
