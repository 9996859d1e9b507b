"""Exercise 05.3 (fix): the chat works on one process, and loses half the room on two.

This is the CHANNEL_LAYERS setting of a small project of your own (the
course's own is made in lessons/channel_config.py; leave that one alone).
With one `runserver` the chat works. Deployed as two Daphne processes behind
nginx (lesson 13), a message reaches only the sockets on the sender's own
process; a management command's group_send (lesson 06) reaches nobody.
Nothing raises, nothing is logged: the messages just never arrive
(django/channels#1060; Channels' docs on the in-memory layer).

Fix the setting so that every process of the project shares one layer, on
the Redis at REDIS_URL (default redis://127.0.0.1:6379/0).

Rules (the check proves each one, and nothing else):

1. A group_send from another server process (its own pid and hostname)
   reaches this process's channels in the group, a burst of 20 whole,
   and so does its send() to one channel of this process: every process
   uses one Redis layer, the same way (one prefix, one encryption key or
   none).
2. The layer holds at least the lesson's burst of 20 messages a channel
   (capacity), and a group membership lasts at least a day
   (group_expiry, its default).
3. With REDIS_URL unset, the layer uses the Redis at
   redis://127.0.0.1:6379/0: two servers started that way share their
   groups.
4. The layer uses the Redis REDIS_URL names, whatever answers when the
   settings are imported: never a layer chosen by whether Redis is up,
   nor an address written in.
5. The layer logs in as REDIS_URL says (its user and password) and uses
   the database number it names; nothing prints or logs REDIS_URL's
   password.
6. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 05.3

The check is exercises/05_3_layer_settings/check.py; once you have tried,
`python manage.py exercise 05.3 --solution` shows where the solution is.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

# TODO: where does this layer keep its groups and messages?
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
    },
}
