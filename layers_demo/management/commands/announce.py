"""`python manage.py announce <room> <text>`: a message to a chat room from a terminal (lesson 06)."""

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from layers_demo.announce import announce
from layers_demo.validation import ClientError


class Command(BaseCommand):
    help = (
        "Send <text> to every socket in ws/chat/<room>/ (on every server process when they share a layer: REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("room", help="the room name, as in ws/chat/<room>/")
        parser.add_argument("text", help="the message: one argument, so quote it")

    def handle(self, *args, room, text, **options):
        try:
            announce(room, text)
        except ClientError as error:
            raise CommandError(str(error)) from None
        except RedisError as error:  # Redis down, or Sentinel mid-failover with no primary to name
            raise CommandError(f"not delivered: the channel layer's Redis did not answer ({error})") from None
        if isinstance(get_channel_layer(), InMemoryChannelLayer):
            # This command is a process of its own: its in-memory layer reaches no server.
            # (Any other layer in the settings is one the servers can share: Redis, Sentinel, PostgreSQL.)
            self.stderr.write(
                "Not delivered to any server: REDIS_URL is unset, so this went to this command's own "
                "in-memory layer. Run the server and this command with the same REDIS_URL."
            )
            return
        self.stdout.write(f"Announced to room {room!r}: {text!r}")
