# The Redis pub/sub layer (channels_redis.pubsub) on REDIS_URL: shared by every process as the core layer is.
"""Alternative 05.3: RedisPubSubChannelLayer, its one host REDIS_URL whole.

Its groups live in Redis's pub/sub channels, not in keys: every process
subscribed to a group hears a group_send from any other, and the URL keeps
its login and its database as it is.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    },
}
