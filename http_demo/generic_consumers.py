"""The same HTTP events on AsyncHttpConsumer, Channels' generic HTTP consumer (lesson 10).

What AsyncHttpConsumer does with the raw events:

    http.request     appends each body part to self.body; on the last one calls
                     handle(b"".join(self.body)), then disconnect(), then stops the consumer
    http.disconnect  calls disconnect(), then stops the consumer
    send_headers()   sends http.response.start; send_body(b, more_body=...) sends http.response.body;
                     send_response(status, body, headers=...) sends both, once

So handle() sees the whole body, never its chunks, and the consumer ends when
handle() returns: right for a request/response endpoint, wrong for a stream or
a long-poll that waits for the channel layer (see http_demo/ticker.py and
http_demo/longpoll.py). PublishConsumer changes what other people see, so it
also asks Django's CSRF check and the session's user (http_demo/routing.py puts
AuthMiddlewareStack in front of it), and spends from its client's budget
(http_demo/publish_budget.py, lesson 16). Lesson: lessons/10-http-consumers.md
"""

import io
import json

from asgiref.sync import sync_to_async
from channels.generic.http import AsyncHttpConsumer
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.handlers.asgi import ASGIRequest
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from psycopg import OperationalError as PostgresUnavailable  # CHANNEL_LAYER=postgres (lesson 15)
from redis.exceptions import RedisError

from http_demo import publish_budget
from http_demo.consumers import BODY_LIMIT
from http_demo.longpoll import POLL_GROUP

MAX_MESSAGE = 4096  # code points in one published message
JSON = [(b"content-type", b"application/json")]
NO_CSRF = "the CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header, from this site's page"
NOT_LOGGED_IN = "publishing needs a logged-in user: log in at /accounts/login/"


class GenericRequestInfoConsumer(AsyncHttpConsumer):
    """/http/generic/: the raw /http/raw/ consumer's answer, without the chunk count it cannot see."""

    channel_layer_alias = None

    async def handle(self, body):
        """Called once, with the whole body, after the last http.request."""
        if len(body) > BODY_LIMIT:
            # Already held in memory by now: AsyncHttpConsumer keeps every part.
            await self.send_response(
                413, json.dumps({"error": f"the body may hold at most {BODY_LIMIT} bytes"}).encode(), headers=JSON
            )
            return
        info = {"method": self.scope["method"], "path": self.scope["path"], "bytes": len(body)}
        await self.send_headers(status=200, headers=JSON)
        await self.send_body(json.dumps(info).encode())


class PublishConsumer(AsyncHttpConsumer):
    """POST /http/publish/ with a text body, a CSRF token and a logged-in session: every waiting GET /http/poll/ gets it."""

    async def handle(self, body):
        """Called once, with the whole body, after the last http.request."""
        if self.scope["method"] != "POST":
            await self.send_response(405, b'{"error": "use POST"}', headers=[*JSON, (b"allow", b"POST")])
            return
        # In the order Django would: its CSRF middleware, then the view's own check of the user.
        try:
            refusal = None if passes_csrf_check(self.scope, body) else NO_CSRF
        except (BadRequest, MultiPartParserError, SuspiciousOperation) as error:
            # A form body Django cannot parse (too many fields, a broken multipart): its views answer 400.
            await self.send_response(400, json.dumps({"error": str(error)}).encode(), headers=JSON)
            return
        if refusal is None and not self.scope["user"].is_authenticated:
            refusal = NOT_LOGGED_IN
        if refusal is not None:
            await self.send_response(403, json.dumps({"error": refusal}).encode(), headers=JSON)
            return
        try:
            message = parse_message(body)
        except ValueError as error:
            status = 413 if len(body) > BODY_LIMIT else 400
            await self.send_response(status, json.dumps({"error": str(error)}).encode(), headers=JSON)
            return
        try:
            # Counted before it goes out, per account and per address (lesson 16): in a thread, as the
            # cache's client blocks; not the one sync thread, which the database and every handshake need.
            retry = await sync_to_async(publish_budget.spend, thread_sensitive=False)(self.scope)
        except RedisError:  # the counters are unreadable: refuse rather than let a flood through uncounted
            await self.send_response(503, b'{"error": "publishing is unavailable for a moment"}', headers=JSON)
            return
        if retry:
            error = json.dumps({"error": f"too many publishes from your account or address: wait {retry} s"})
            await self.send_response(429, error.encode(), headers=[*JSON, (b"retry-after", str(retry).encode())])
            return
        try:
            await self.channel_layer.group_send(POLL_GROUP, {"type": "poll.message", "message": message})
        except (RedisError, PostgresUnavailable):
            # Answer it here: an exception escaping handle() would be a 500 and a traceback.
            await self.send_response(503, b'{"error": "the channel layer is unavailable"}', headers=JSON)
            return
        await self.send_response(202, json.dumps({"published": message}).encode(), headers=JSON)


def passes_csrf_check(scope: dict, body: bytes) -> bool:
    """True when Django's CSRF check accepts this request, as it would for a view."""
    # A consumer sits in front of Django's middleware, so nothing has checked it. Django's own
    # check, run on a request built from the scope, does what a hand-written comparison of
    # cookie and header would forget: the Origin against ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS,
    # the Referer over HTTPS, masked tokens, a constant-time comparison, and its log line.
    request = ASGIRequest(scope, io.BytesIO(body))
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


def parse_message(body: bytes) -> str:
    """The published text: UTF-8, 1 to 4096 code points; anything else raises ValueError."""
    if len(body) > BODY_LIMIT:
        raise ValueError(f"the body may hold at most {BODY_LIMIT} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body must be UTF-8 text") from None
    if not 1 <= len(text) <= MAX_MESSAGE:
        raise ValueError(f"the message must hold 1 to {MAX_MESSAGE} characters, got {len(text)}")
    return text
