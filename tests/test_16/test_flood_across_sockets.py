"""Lesson 16: the flooder across sockets on ws/chat/<room>/, and the budgets its user and address share
(layers_demo/flood_budgets.py), on top of lesson 05's per-socket limit (tests/test_05/test_hardened_chat.py)."""

from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from layers_demo.flood_budgets import SharedBudgets, shared_budgets
from layers_demo.hardened_chat import ChatConsumer

FLOODER, NEIGHBOUR, WATCHER = "203.0.113.7", "198.51.100.9", "192.0.2.1"
ADA = User(pk=7, username="ada")  # logged in: what AuthMiddlewareStack puts in the scope (lesson 07)


async def chat_socket(address: str | None, user=None) -> WebsocketCommunicator:
    """An open ws/chat/lobby/ socket of the hardened chat whose client is at `address`."""
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/lobby/")
    # Its application has not started yet: what the router and the middleware add is in time.
    communicator.scope.update(url_route={"args": (), "kwargs": {"room": "lobby"}}, user=user or AnonymousUser())
    if address:
        communicator.scope["client"] = (address, 50000)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def flood(sockets: list[WebsocketCommunicator], count: int, tag: str) -> list[dict]:
    """Each socket sends `count` messages tagged `tag`; what each heard back about its own, in order.

    A socket hears every message of the room: its own ("<tag><socket>-<n>") count, the others' do not.
    """
    for i, socket in enumerate(sockets):
        for n in range(count):
            await socket.send_json_to({"message": f"{tag}{i}-{n}"})
    outcomes = []
    for i, socket in enumerate(sockets):
        mine = []
        while len(mine) < count:
            frame = await socket.receive_json_from()
            if "error" in frame or frame["message"].startswith(f"{tag}{i}-"):
                mine.append(frame)
        outcomes += mine
    return outcomes


async def heard_by(watcher: WebsocketCommunicator) -> list[str]:
    """Every message `watcher` received, up to one it sends now: whatever reached the room before it."""
    await watcher.send_json_to({"message": "watcher: end"})
    heard = []
    while (message := (await watcher.receive_json_from())["message"]) != "watcher: end":
        heard.append(message)
    return heard


def frozen_budgets() -> list[float]:
    """The shared budgets' clock, stopped; move it by changing the list's one item.

    The buckets refill as time passes (20 a minute: a token every 3 s), so on the real clock a run slow enough
    would earn a token mid-test and deliver one more than the count. Called after the test's settings: new
    flood settings make new budgets (flood_budgets.forget_budgets).
    """
    now = [1000.0]
    shared_budgets().clock = lambda: now[0]
    return now


async def close(*sockets: WebsocketCommunicator) -> None:
    for socket in sockets:
        await socket.disconnect()


async def test_ten_sockets_of_one_address_deliver_no_more_than_its_budget(settings):
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 20
    frozen_budgets()
    watcher = await chat_socket(WATCHER)
    flooders = [await chat_socket(FLOODER) for _ in range(10)]
    outcomes = await flood(flooders, 5, "flood")
    heard = await heard_by(watcher)
    errors = [frame["error"] for frame in outcomes if "error" in frame]
    assert len(heard) == 20
    assert len(errors) == 30
    assert all(error.startswith("too many messages from your address: at most 20 per 60 s") for error in errors)
    await close(watcher, *flooders)


async def test_two_addresses_have_a_budget_each(settings):
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 5
    frozen_budgets()
    watcher = await chat_socket(WATCHER)
    flooders = [await chat_socket(FLOODER) for _ in range(3)]
    neighbours = [await chat_socket(NEIGHBOUR) for _ in range(3)]
    await flood(flooders, 3, "flooder")
    await flood(neighbours, 3, "neighbour")
    heard = await heard_by(watcher)
    assert [message.startswith("flooder") for message in heard] == [True] * 5 + [False] * 5
    await close(watcher, *flooders, *neighbours)


async def test_one_user_on_two_addresses_is_held_to_the_per_user_budget(settings):
    settings.CHAT_FLOOD_LIMIT_PER_USER = 5
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 20
    frozen_budgets()
    watcher = await chat_socket(WATCHER)
    sockets = [await chat_socket(address, ADA) for address in (FLOODER, FLOODER, NEIGHBOUR, NEIGHBOUR)]
    outcomes = await flood(sockets, 5, "ada")
    errors = [frame["error"] for frame in outcomes if "error" in frame]
    assert len(await heard_by(watcher)) == 5
    assert len(errors) == 15
    assert all(error.startswith("too many messages from your account: at most 5 per 60 s") for error in errors)
    await close(watcher, *sockets)


async def test_a_socket_in_a_flooded_room_still_hears_everyone_else(settings):
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 20
    frozen_budgets()
    watcher = await chat_socket(WATCHER)
    neighbour = await chat_socket(NEIGHBOUR)
    flooders = [await chat_socket(FLOODER) for _ in range(10)]
    await flood(flooders, 5, "flood")  # the address's budget is spent: its next frames are refused
    for flooder in flooders:
        await flooder.send_json_to({"message": "more flood"})
    await neighbour.send_json_to({"message": "still talking"})
    to_neighbour = [await neighbour.receive_json_from() for _ in range(21)]
    assert to_neighbour[-1] == {"message": "still talking", "sender": to_neighbour[-1]["sender"]}
    assert (await heard_by(watcher))[20:] == ["still talking"]
    await close(watcher, neighbour, *flooders)


async def test_after_the_period_the_flooder_may_speak_again(settings):
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 3
    settings.CHAT_FLOOD_PERIOD = 60
    now = frozen_budgets()
    watcher = await chat_socket(WATCHER)
    flooders = [await chat_socket(FLOODER) for _ in range(2)]
    refused = await flood(flooders, 2, "before")
    now[0] += 60
    served = await flood(flooders, 2, "after")
    errors = [frame["error"] for frame in refused if "error" in frame]
    assert len(errors) == 1 and "wait 20.0 s" in errors[0]  # 3 a minute: a token every 20 s
    assert sum("error" in frame for frame in served) == 1  # a full budget again, and no more
    await close(watcher, *flooders)


async def test_a_frame_its_own_socket_refuses_spends_no_shared_budget(settings):
    settings.CHAT_FLOOD_LIMIT = 2  # lesson 05's, per socket
    settings.CHAT_FLOOD_LIMIT_PER_ADDRESS = 3
    frozen_budgets()
    watcher = await chat_socket(WATCHER)
    first, second = await chat_socket(FLOODER), await chat_socket(FLOODER)
    refused = await flood([first], 4, "first")  # 2 sent, 2 refused by the socket's own limit
    served = await flood([second], 1, "second")  # the address's third token is still there
    assert [frame["error"].split(":")[0] for frame in refused if "error" in frame] == ["too many messages"] * 2
    assert "error" not in served[0]
    await close(watcher, first, second)


def test_an_idle_address_is_forgotten_once_its_bucket_is_full_again():
    now = [0.0]
    budgets = SharedBudgets(per_user=5, per_address=5, period=60, clock=lambda: now[0])
    for n in range(1000):  # a thousand addresses, one message each
        budgets.check([("address", f"10.0.{n // 256}.{n % 256}")])
        budgets.take([("address", f"10.0.{n // 256}.{n % 256}")])
    assert budgets.remembered() == 1000
    now[0] = 60.0
    budgets.check([])
    assert budgets.remembered() == 0


def test_an_address_whose_bucket_is_still_refilling_is_not_forgotten():
    now = [0.0]
    budgets = SharedBudgets(per_user=5, per_address=5, period=60, clock=lambda: now[0])
    flooder = [("address", FLOODER)]
    now[0] = 50.0
    for _ in range(5):
        budgets.take(flooder)
    now[0] = 60.0
    budgets.check([])  # the sweep: 10 s refilled less than one token
    assert budgets.remembered() == 1
    assert budgets.kinds["address"].wait(FLOODER, now[0]) > 0
