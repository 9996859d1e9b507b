"""`python manage.py post <title> <body>`: save a liveblog Post from a terminal.

The post_save receiver in db_demo/signals.py sends it to the liveblog group.
Sockets served by another process receive it only through a shared layer:
run both with the same REDIS_URL (lessons/08-database.md). Without REDIS_URL
the command says on stderr that no server heard it live.
"""

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from db_demo.models import Post


class Command(BaseCommand):
    help = "Save a liveblog Post; every ws/liveblog/ socket receives it (across processes with REDIS_URL)."

    def add_arguments(self, parser):
        parser.add_argument("title", help="the post's title (one argument: quote it)")
        parser.add_argument("body", help="the post's text (one argument: quote it)")

    def handle(self, *args, title: str, body: str, **options):
        post = Post(title=title, body=body)
        try:
            post.full_clean()  # the admin's rules: a title of 1-200 characters, a body
        except ValidationError as error:
            problems = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError(f"not saved: {'; '.join(problems)}") from None
        post.save()
        # The post_save receiver has sent it by now (no transaction here: on_commit ran at once).
        self.stdout.write(f"Saved post {post.pk} ({post.title!r}).")
        if isinstance(get_channel_layer(), InMemoryChannelLayer):
            # This command is a process of its own: its in-memory layer reaches no server.
            # (Any other layer in the settings is one the servers can share: Redis, Sentinel, PostgreSQL.)
            self.stderr.write(
                "No server heard it live: REDIS_URL is unset, so it went to this command's own in-memory "
                "layer. Run the server and this command with the same REDIS_URL; a client that reconnects "
                "with ?since= or Last-Event-ID still gets it from the database."
            )
