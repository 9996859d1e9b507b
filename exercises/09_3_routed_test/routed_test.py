"""Exercise 09.3 (fix): a test that crashes on a correct consumer.

test_the_room_greets_its_client(consumer) tests a room consumer like lesson
04's: routed at ws/fixroom/<room>/, it accepts and greets its client with
{"room": <room>}, the name from its URL. The check runs this test on a
correct consumer (it must pass) and on broken ones (it must fail). On the
correct one it crashes inside the consumer:

    KeyError: 'url_route'

(django/channels#983: "Testing and url_kwargs documentation"). The consumer
is right; the test is wrong. Fix the test; keep it a test that fails for a
consumer that greets with the wrong room (two rooms at once: a room kept on
the class shows only then), or not at all, and that disconnects every socket,
when it fails too.

Rules (the check proves each one, and nothing else):

1. The test passes on every correct room consumer, its JSON spaced or
   not, without crashing inside it (scope["url_route"] is there when the
   test serves the consumer as the project does) and awaiting every
   coroutine it calls.
2. It disconnects every socket it opens.
3. It fails (an AssertionError, or a wait's TimeoutError) on each broken
   one: the room in capitals, the first or the latest socket's room kept
   on the class (two rooms open at once, both read), the whole path sent
   for the room, no greeting, a greeting in a binary frame.
4. When one of its assertions fails, it still ends every socket it
   opened (try/finally).
5. Nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 09.3

The check is exercises/09_3_routed_test/check.py; once you have tried,
`python manage.py exercise 09.3 --solution` shows where the solution is.
"""

from channels.routing import URLRouter  # noqa: F401
from channels.testing import WebsocketCommunicator
from django.urls import path  # noqa: F401


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    # TODO: who puts scope["url_route"] in place for a consumer?
    lobby = WebsocketCommunicator(consumer.as_asgi(), "/ws/fixroom/lobby/")
    kitchen = WebsocketCommunicator(consumer.as_asgi(), "/ws/fixroom/kitchen/")
    try:
        for communicator in (lobby, kitchen):
            connected, _ = await communicator.connect()
            assert connected
        assert await lobby.receive_json_from() == {"room": "lobby"}
        assert await kitchen.receive_json_from() == {"room": "kitchen"}
    finally:  # when an assertion fails too: a test ends every socket it opened
        for communicator in (lobby, kitchen):
            if not communicator.future.done():  # a wait that gave up has cancelled its consumer already
                await communicator.disconnect()
