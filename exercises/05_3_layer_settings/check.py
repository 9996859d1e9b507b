"""Check 05.3 (fix): every process shares one channel layer (Redis), so a group_send crosses processes.

A group_send from another process (its own pid and hostname) reaches this one, a burst of BURST whole, and so does
its send to one channel, a membership lasting a day; with REDIS_URL unset, two servers share groups on the local
Redis; the layer uses the Redis, login and database REDIS_URL names, whatever answers at import, and logs no password.
"""

import pytest

from exercises.probes import arrival, in_a_group, layer_of, load, started_with
from exercises.probes.redis_settings import DEFAULT, another_process_sends, group_shared, heard_in_a_row, joined_with
from exercises.probes.redis_settings import keeps_the_database_redis_url_names, logs_in_as_redis_url_says, no_redis_at
from exercises.probes.redis_settings import redis_url  # noqa: F401 - a fixture, as if written here

RULE = (
    "Processes share groups and channels only through a layer that lives outside every one of them, the same "
    "store, seen the same way, from each"
)
DAY = 86400  # seconds: channels_redis's group_expiry, and Daphne's --websocket_timeout
BURST = 20  # one client's burst in lesson 05's test: 20 messages sent before this process reads one
SENT = {"type": "chat.message", "message": "from the other process"}
pytestmark = pytest.mark.usefixtures("redis_url")  # (imported) REDIS_URL set where a Redis answers, DEFAULT if unset


@pytest.mark.rule(1, 2)
async def test_a_group_send_from_another_process_reaches_this_one():
    layer = layer_of(load("05.3", RULE).CHANNEL_LAYERS["default"], RULE)
    kept = getattr(layer, "group_expiry", DAY)
    assert kept >= DAY, (
        f"group_expiry is {kept} s: a membership older than that ends while its socket is still open (Daphne keeps "
        f"a socket up to a day), and the room stops hearing it with nothing raised. Leave it at its day. {RULE}"
    )
    async with in_a_group(layer) as (group, channel):  # and a direct channel: two sockets of this process
        direct = await layer.new_channel()
        await another_process_sends(group, direct, BURST)  # its own pid and hostname, as another machine
        got = await arrival(layer, channel)
        assert got == SENT, (
            f"the other process's group_send never arrived here (got {got}): the message went to a layer (or a form) "
            "this process cannot see (it ran as another machine would: its own pid and hostname), and in a real "
            f"deployment nothing raises, nothing is logged. {RULE}"
        )
        heard = 1 + await heard_in_a_row(layer, channel, SENT, BURST - 1)  # stops at the first gap
        assert heard == BURST, (
            f"the other process sent a burst of {BURST} messages to the group, and {heard} arrived here: a group_send to "
            "a queue holding `capacity` messages is dropped without a word, and capacity counts a process's sockets "
            f"together: size it above the largest burst a process must absorb (100 by default, 1000 in lesson 05). {RULE}"
        )
        alone = await arrival(layer, direct)
        assert alone == {"type": "chat.message", "message": "to you alone"}, (
            f"the other process's send() to one channel of this process never arrived (got {alone}): a direct send "
            f"(lesson 06's worker replies) must cross processes too. {RULE}"
        )


@pytest.mark.rule(3)
async def test_without_redis_url_the_layer_uses_the_local_redis():
    unset = (
        f"with REDIS_URL unset, the setting must fall back to {DEFAULT}, as the task says: a development machine "
        f'sets no REDIS_URL, so read it with a default (os.environ.get("REDIS_URL") or "{DEFAULT}"), never as '
        'os.environ["REDIS_URL"], which raises KeyError there'
    )
    # Two servers started on one laptop with REDIS_URL unset: what one sends to a group, the other's socket hears.
    layer, other = started_with("05.3", None, unset), started_with("05.3", None, unset)
    try:
        got = await group_shared(layer, other, SENT)
    except Exception as error:  # nothing answers where the layer went: right only if no Redis answers at the default
        assert no_redis_at(DEFAULT), (  # none there on this machine: the layer could do no more
            f"with REDIS_URL unset, the layer ({type(layer).__name__}) could not join a group on {DEFAULT} and "
            f"send to it, where a Redis answers ({type(error).__name__}: {error}): {unset}"
        )
        return
    assert got == SENT, (
        f"with REDIS_URL unset, two server processes did not share their groups (got {got}): the setting falls back "
        f"to a layer inside each process ({type(layer).__name__}), where the task wants the Redis at {DEFAULT}. {unset}"
    )


@pytest.mark.rule(4)
async def test_the_layer_uses_the_redis_that_redis_url_names():
    nowhere = "redis://127.0.0.1:1/0"  # no Redis listens on port 1
    kind = await joined_with("05.3", nowhere, RULE)
    assert not kind or "Redis" in kind, (
        f"with REDIS_URL={nowhere}, where no Redis listens, the setting chose {kind}, whose groups live in the process: "
        "a server started while its Redis is down (a deploy, a reboot, a restart) keeps that layer for good, its rooms "
        f"split from the others' with nothing raised. Choose no layer by whether Redis answers at import. {RULE}"
    )
    assert not kind, (
        f"with REDIS_URL={nowhere}, where no Redis listens, the layer still joined a group: it talks to a Redis "
        f"written into the setting, not to the one REDIS_URL names, so a deployment whose Redis is elsewhere splits "
        f"or loses its rooms. Build the hosts from REDIS_URL. {RULE}"
    )


@pytest.mark.rule(5)
async def test_the_layer_logs_in_as_redis_url_says_and_writes_no_password(capsys, caplog):
    await logs_in_as_redis_url_says("05.3", RULE, caplog, capsys)


@pytest.mark.rule(5)
async def test_the_layer_uses_the_database_redis_url_names():
    await keeps_the_database_redis_url_names("05.3", RULE)


# The standard battery of what this exercise builds (settings), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_the_channel_layer_holds_the_lessons_burst,
    test_a_group_membership_lasts_as_long_as_a_socket,
)
