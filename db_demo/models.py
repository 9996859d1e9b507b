"""The two tables of lesson 08: chat messages with a room, and liveblog posts.

Both render themselves as the JSON frames the consumers send, so every frame
a client sees is built in one place (lessons/08-database.md).
"""

from django.db import models


class ChatMessage(models.Model):
    """One accepted message in a `ws/db/room/<room>/` chat room."""

    room = models.CharField(max_length=50)
    text = models.TextField()
    sender = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        # History reads "the newest N of one room": this index serves that query.
        indexes = [models.Index(fields=["room", "-id"], name="chat_room_newest")]

    def __str__(self) -> str:
        return f"{self.room}: {self.text[:40]}"

    def as_frame(self) -> dict:
        """The JSON object chat sockets receive for this message (live and in history)."""
        return {"id": self.pk, "message": self.text, "sender": self.sender, "created": self.created.isoformat()}


class Post(models.Model):
    """A liveblog post: saving one sends it to every `ws/liveblog/` socket."""

    title = models.CharField(max_length=200)
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def as_frame(self) -> dict:
        """The JSON object liveblog sockets receive as {"post": ...}."""
        return {"id": self.pk, "title": self.title, "body": self.body}
