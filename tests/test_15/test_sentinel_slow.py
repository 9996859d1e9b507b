"""Lesson 15 on real processes: the Redis primary killed under two Daphnes that find it through Sentinel.

`failover_run` (tests/conftest.py) runs bench/failover/run.py once per layer, core
and pub/sub: three sentinels with down-after-milliseconds 1000, a chat between
the two Daphnes, an echo socket on each, a Post saved every 200 ms by a third
process and lesson 12's liveblog client; the primary is SIGKILLed one second in.
The first tests each assert one thing about that run; the three after them
start servers of their own (no primary at all, a write never replicated, nginx
in front).
"""

import asyncio
import itertools
import json
import sys

import pytest
import redis
from channels.layers import get_channel_layer
from websockets.asyncio.client import connect

from bench.failover.run import POSTS, chats_across
from harness.patience import COMMAND, CONDITION, FRAME, polled
from harness.servers import REPO_DIR, WarmDaphnes, daphne_env
from lessons.channel_config import channel_layers
from tests.helpers.clients import group_members

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sentinel_promotes_the_replica_when_the_primary_is_killed(failover_run):
    assert failover_run["new_primary"] == "the replica"


def test_a_new_room_chats_across_both_daphnes_within_20_s_of_the_promotion(failover_run):
    assert failover_run["chatting_again_after_promotion_s"] <= 20


def test_open_chat_sockets_carry_on_or_close_with_4503_never_1011(failover_run):
    assert set(failover_run["chat_close_codes"]) <= {None, 4503}  # None: still open at the end


def test_echo_sockets_answer_every_frame_while_the_primary_is_replaced(failover_run):
    assert [(echo["answered"], echo["close_code"]) for echo in failover_run["echo"]] == [
        (echo["sent"], None) for echo in failover_run["echo"]
    ]


def test_chat_loses_only_messages_sent_in_the_failover_and_keeps_senders_order(failover_run):
    chat = failover_run["chat"]
    print(f"\n{chat['lost']} of {chat['deliveries_expected']} chat deliveries lost on {failover_run['layer']}")
    # At most once: what was sent between the kill and the end of the failover (a new room chats across
    # both Daphnes, every broken socket has its 4503) may be gone; nothing else.
    assert (chat["lost_outside_the_failover"], chat["in_order"]) == (0, True), (
        f"lost outside the failover (it ended {chat['failover_ended_s']} s after the kill): {chat['outside_examples']}"
        f"; {chat['refused']} message(s) refused by the server"
    )


def test_every_post_saved_while_the_primary_is_replaced_is_saved(failover_run):
    assert (failover_run["saver_exit_status"], failover_run["posts_saved"]) == (0, POSTS)


def test_the_liveblog_client_with_since_misses_no_post_and_gets_none_twice(failover_run):
    assert (failover_run["posts_missed_after_since"], failover_run["posts_twice"]) == (0, 0)


def test_with_no_primary_at_all_a_post_is_saved_and_its_failed_broadcast_logged(sentinels, redis_prefix):
    from django.db import connection

    sentinels.kill_primary()
    sentinels.replica.stop()  # nothing left to promote: the layer is down, the database is not
    env = {**daphne_env(connection.settings_dict, None, redis_prefix), "REDIS_SENTINELS": sentinels.addresses}
    argv = [sys.executable, "manage.py", "post", "Layer down", "and yet saved"]
    done = WarmDaphnes.run(argv, REPO_DIR, env, COMMAND)
    assert (done.returncode, done.stdout.startswith("Saved post")) == (0, True), done.stderr
    assert "send_saved_post in on_commit() (No master found" in done.stderr  # robust on_commit logged it


async def test_a_membership_the_old_primary_acknowledged_but_never_replicated_is_lost(sentinels, settings):
    settings.CHANNEL_LAYERS = channel_layers(None, "core", "replication-test", sentinels=sentinels.addresses)
    layer = get_channel_layer()
    await layer.group_add("kept", "specific.test!kept")  # replicated as usual
    primary = redis.asyncio.Redis(port=sentinels.primary.port)
    assert await primary.wait(1, 2000) == 1  # the replica has it
    # Cut the replication link, as a network partition between the two would: the replica may
    # not log in again (a password the primary does not have), and its connection is closed.
    replica = redis.asyncio.Redis(port=sentinels.replica.port)
    await replica.config_set("masterauth", "not-the-primary-password")
    await primary.client_kill_filter(_type="replica")
    await layer.group_add("lost", "specific.test!lost")  # the primary answers OK...
    assert await primary.wait(1, 500) == 0  # ...and no replica has it
    await primary.aclose()
    sentinels.kill_primary()
    await asyncio.to_thread(sentinels.wait_for_promotion)
    members = (await group_members("kept"), await group_members("lost"))
    await replica.aclose()
    # Closing the layer's pool leaves the Sentinel's own clients open (redis/redis-py#3259): close both.
    sentinel = layer.connection(0).connection_pool.sentinel_manager
    await layer.close_pools()
    await sentinel.aclose()
    assert members == ({"specific.test!kept"}, set())


async def test_two_daphnes_behind_nginx_chat_across_both_again_after_a_failover(sentinels, deployment):
    site = deployment(REDIS_SENTINELS=sentinels.addresses)
    async with connect(site.ws_url("ws/sync/echo/"), origin=site.http_url) as echo:
        sentinels.kill_primary()
        await echo.send("still here")  # no layer on this route: nginx and Daphne carry on
        assert await asyncio.wait_for(echo.recv(), FRAME) == "still here"
    await asyncio.to_thread(sentinels.wait_for_promotion)
    a, b = site.daphnes
    rooms = itertools.count()  # a new room each try: a socket on each Daphne, until they hear each other
    assert await polled(lambda: chats_across(a, b, f"nginx-{next(rooms)}"), CONDITION, every=0.1)
    async with connect(site.ws_url("ws/chat/after-nginx/"), origin=site.http_url) as alice:
        async with connect(site.ws_url("ws/chat/after-nginx/"), origin=site.http_url) as bob:
            await alice.send(json.dumps({"message": "through nginx, after the failover"}))
            assert (
                json.loads(await asyncio.wait_for(bob.recv(), FRAME))["message"] == "through nginx, after the failover"
            )


def test_the_liveblog_socket_carries_on_or_closes_with_4503_never_1011(failover_run):
    assert set(failover_run["liveblog_close_codes"]) <= {4503}  # then lesson 12's client reconnects with since=


@pytest.mark.django_db
def test_the_doctor_finds_the_primary_through_the_sentinels(sentinels, settings, capsys):
    from django.core.management import call_command

    settings.REDIS_SENTINELS, settings.REDIS_SENTINEL_MASTER = sentinels.addresses, "mymaster"
    call_command("doctor")
    [line] = [line for line in capsys.readouterr().out.splitlines() if "Redis reachable" in line]
    expected = (
        f"ok    Redis reachable through Sentinel (primary 127.0.0.1:{sentinels.primary.port}, named by the sentinel at"
    )
    assert expected in line, line
