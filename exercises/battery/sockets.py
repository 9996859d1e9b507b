"""What every websocket consumer must do: survive any frame, keep a bad one to its own socket, answer it as its
exercise says, end on websocket.disconnect, pass a message on (and save it) unchanged, tell a failing layer.

How the battery opens its sockets and which frames it sends: exercises/battery/driving.py.

Its [battery] table in exercise.toml:
    serves    the consumer class the battery serves (Class.as_asgi())
    path      where its sockets open ("/" if left out; a query too: "/?since=0")
    url_route the kwargs a router would have put in scope["url_route"], if it reads them
    user      "member" or "staff": a logged-in scope["user"] (an unsaved User), if it reads one
    database  true if it queries the database (the battery's tests then run as django_db(transaction=True))
    bad       which frames are bad input: "binary" (every text frame is a message), "login"
              ({"username": ..., "password": ...} and nothing else) or the key of the JSON object its frames carry
    binary    what a binary frame gets: "error" ({"error": ...}, the default), or "any" answer its task names (an
              echo, silence) but a crash or a word to another socket
    closes    the close codes it may answer bad input with (its task documents them)
    message   "text" (the frame is the message) or the JSON key that carries one; left out if it passes none on
    hears     "self" or "other": who receives a message ("other": a second socket in the same room)
    reply     the key of the frame that carries the message back ("" if the frame is the message itself)
    announces keys of the frames a socket may hear whatever it sends: its greeting ({"you": ...}, {"history": ...})
              and news of sockets coming and going ({"joined": ...}); the battery skips them where it reads
    saves     the model ("app_label.Model") whose `text` holds each message it saves, if it saves them

A consumer whose messages go through the channel layer is sent one while the layer fails (its group_send and send
raise ConnectionError, as a Redis that is down makes them), and opened while its group_add fails: it must tell.
"""

import json

import pytest
from channels.layers import get_channel_layer

from exercises.battery.driving import (
    FRAMES,
    announcement,
    bad_input,
    communicator,
    heard_by,
    message_frame,
    opened,
    prepared,
)
from exercises.probes import (
    AS_SENT,
    FRAME,
    NOTHING,
    WAITED,
    crashed,
    ends_on_disconnect,
    frame,
    heard,
    layer_down,
    proved,
)
from exercises.probes.stores import REDIS_REFUSED
from exercises.probes.waits import fail_if_crashed


async def test_no_frame_of_any_kind_crashes_the_consumer(request):
    battery = prepared(request)
    for label, event in FRAMES:
        socket = await opened(request, battery)
        try:
            await socket.send_input({"type": "websocket.receive", **event})
            await ends_on_disconnect(socket)
        except Exception as error:
            pytest.fail(f"on {label}: {crashed(error)}", pytrace=False)
    proved("bad frames", len(FRAMES))


async def test_it_ends_on_websocket_disconnect(request):
    battery = prepared(request)
    socket = await opened(request, battery)
    try:
        ended = await ends_on_disconnect(socket, code=1001)
    except Exception as error:
        pytest.fail(f"on websocket.disconnect: {crashed(error)}", pytrace=False)
    assert ended, (
        f"the client went away (websocket.disconnect, code 1001) and the consumer was still running {WAITED} later: "
        "raise StopConsumer (a generic consumer does it for you: call super() if you override websocket_disconnect)"
    )


async def test_a_bad_frame_reaches_no_other_socket(request):
    battery = prepared(request)
    other = await opened(request, battery)
    sender = await opened(request, battery)
    for label, event in bad_input(battery):
        if sender.future.done():  # it closed the socket on an earlier frame: a new one, as a client reconnects
            sender = await opened(request, battery)
        try:
            await sender.send_input({"type": "websocket.receive", **event})
        except Exception as error:
            pytest.fail(f"on {label}: {crashed(error)}", pytrace=False)
    await ends_on_disconnect(sender)  # every frame handled: a consumer takes its events in order
    leaked = await heard_by(other, battery)
    await ends_on_disconnect(other)
    shown = json.dumps(leaked[0]) if leaked and isinstance(leaked[0], str) else str(leaked[:1])[1:-1]
    assert not leaked, (
        f"bad input sent on one socket reached another, which received {shown[:200]}: bad input is "
        "answered on its own socket (an error frame, or a close), never passed on to anyone else"
    )


async def answered(socket, label: str, event: dict, battery: dict) -> object:
    """What `socket`'s consumer answered `event` with: a decoded frame or a close event (or NOTHING, after FRAME)."""
    try:
        await socket.send_input({"type": "websocket.receive", **event})
        got = await frame(socket)
        while announcement(got, battery):  # a socket coming or going, or a tick: not the answer
            got = await frame(socket)
        return got
    except pytest.fail.Exception as failed:
        pytest.fail(f"on {label}: {failed}", pytrace=False)


async def test_a_bad_frame_gets_the_answer_its_exercise_names(request):
    battery = prepared(request)
    closes, binary = battery.get("closes", []), battery.get("binary", "error")
    socket = None
    for label, event in bad_input(battery):
        if socket is None or socket.future.done():
            socket = await opened(request, battery)
        if binary == "any" and event.get("text") is None:
            continue  # any answer but a crash (test_no_frame_...) or a word to another socket (test_a_bad_frame_...)
        got = await answered(socket, label, event, battery)
        closed = isinstance(got, dict) and got.get("type") == "websocket.close"
        if closed:
            assert got.get("code") in closes, (
                f"{label} closed the socket with code {got.get('code')}: this exercise answers bad input with "
                + (f"the close codes {closes} only" if closes else 'an {"error": ...} frame, and keeps the socket open')
            )
            await ends_on_disconnect(socket)
            socket = None
            continue
        assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"].strip(), (
            f'{label} got {str(got)[:200]}: bad input gets {{"error": "<what was wrong>"}} on its own socket'
            + (f" (or a close with {closes})" if closes else "")
            + ", a clear error the client can show; silence leaves it waiting, and an empty error tells nothing"
        )
    if socket is not None:
        fail_if_crashed(socket)
        await ends_on_disconnect(socket)
    proved("bad frames", len(bad_input(battery)))


async def test_a_message_arrives_unchanged(request):
    battery = prepared(request)
    hearer = await opened(request, battery) if battery.get("hears", "self") == "other" else None
    sender = await opened(request, battery)
    hearer, reply = hearer or sender, battery.get("reply", "")
    for sent in (AS_SENT, " "):  # a message of one space is a message too: not empty, and not trimmed away
        await sender.send_input({"type": "websocket.receive", **message_frame(battery, sent)})
        got = await frame(hearer)
        while announcement(got, battery):
            got = await frame(hearer)
        if (message := got.get(reply) if reply and isinstance(got, dict) else got) != sent:
            break
    for socket in {id(sender): sender, id(hearer): hearer}.values():
        if not socket.future.done():  # one that heard nothing was cancelled by the wait (asgiref's receive_output)
            await ends_on_disconnect(socket)
    assert message == sent, (
        f"{sent!r} was sent, and the socket received {str(got)[:200]}: a message is passed on as it was sent, "
        "its spaces, capitals, line breaks, <, & and emoji too; escaping is the job of the page that shows it "
        "(textContent, Django's templates), and trimming is no one's"
    )


async def test_a_layer_failure_is_told_never_swallowed(request, monkeypatch):
    battery = prepared(request)
    downs = [layer_down(monkeypatch, call) for call in ("group_send", "send")]  # before the socket: bound ones too
    sender = await opened(request, battery)
    failure = " and ".join(down() for down in downs)
    await sender.send_input({"type": "websocket.receive", **message_frame(battery, "hello")})
    try:
        got = await frame(sender)
        while announcement(got, battery):
            got = await frame(sender)
    except pytest.fail.Exception:  # the error went through: the server logs it and closes the socket with 1011
        return
    closed = isinstance(got, dict) and got.get("type") == "websocket.close"
    told = isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"].strip()
    if not closed:
        await ends_on_disconnect(sender)
    assert closed or told, (
        f"a message was sent while {failure}, and its sender {heard(got)}: the failure was swallowed, and the "
        "client believes its message went out. Let the error through (the socket closes with 1011 and the server "
        'logs it), close with the code your task names, or answer {"error": "<what went wrong>"}'
    )


async def test_a_layer_failure_while_joining_is_told(request, monkeypatch):
    battery, joins = prepared(request), []

    async def group_add(group, channel):  # a Redis that is down: the join never happens
        joins.append(group)
        raise ConnectionError(REDIS_REFUSED)

    monkeypatch.setattr(get_channel_layer(), "group_add", group_add)
    socket, got = communicator(request, battery), NOTHING
    try:
        accepted, _ = await socket.connect(timeout=FRAME)
        while accepted and joins and (got := await frame(socket)) != NOTHING:
            if isinstance(got, dict) and (got.get("type") == "websocket.close" or str(got.get("error", "")).strip()):
                await ends_on_disconnect(socket)
                return  # told: a close, or {"error": ...}
    except TimeoutError:  # neither accepted nor refused: the client waits on its handshake
        accepted = True
    except (Exception, pytest.fail.Exception):  # the error went through: a refused handshake, or 1011 and a log line
        return
    if accepted and not joins:  # it joins no group as it opens: nothing to prove here
        await ends_on_disconnect(socket)
        return
    assert not accepted, (
        f"the layer's group_add raised ConnectionError (its Redis is down) as the socket joined {joins[0]!r}, and the "
        f"client {heard(got)}: its socket is in no group and will never hear the room, and nothing says so. Let the "
        "error through (the server refuses the socket or closes it with 1011, and logs why), close with the code "
        'your task names, or answer {"error": ...}'
    )


async def test_a_message_is_saved_as_it_was_sent(request):
    from channels.db import database_sync_to_async
    from django.apps import apps

    battery = prepared(request)
    model = apps.get_model(battery["saves"])
    sender = await opened(request, battery)
    await sender.send_input({"type": "websocket.receive", **message_frame(battery, AS_SENT)})
    answer = await frame(sender)  # its answer comes once the row is saved
    await ends_on_disconnect(sender)
    newest = await database_sync_to_async(lambda: list(model.objects.order_by("-pk")[:1]))()
    saved = newest[0].text if newest else None
    assert saved == AS_SENT, (
        f"{AS_SENT!r} was sent (and answered with {str(answer)[:120]}), and the newest {model.__name__} holds "
        f"{saved!r}: a message is saved as it was sent, its spaces, capitals, line breaks, <, & and emoji too; "
        "the page that shows it escapes it, and trimming it is no one's job"
    )


BEHAVIOURS = (
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
    test_a_message_is_saved_as_it_was_sent,
)
