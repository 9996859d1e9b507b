"""How bench/failover/run.py counts a failover's chat losses: which lost message was the failover's, and which not.

The run itself is tests/test_15/test_sentinel_slow.py's; these feed chat_losses() the
frames of sockets made up here, at the times a failover gives them.
"""

from types import SimpleNamespace

from bench.failover.run import chat_losses


def open_socket(*frames):
    return SimpleNamespace(
        frames=[(when, {"message": text}) for when, text in frames], close_code=None, closed_at=float("inf")
    )


def test_a_failover_loss_counts_until_the_broken_socket_gets_its_4503():
    killed, recovered = 10.0, 13.0
    sent = [(12.0, "a:0"), (13.5, "a:1"), (14.0, "a:2")]  # during, then after a new room chatted again
    dying = SimpleNamespace(frames=[], close_code=4503, closed_at=13.8)  # its 4503 came after the new room
    open_ = SimpleNamespace(frames=[(14.1, {"message": "a:2"})], close_code=None, closed_at=float("inf"))
    losses = chat_losses(sent, (dying, open_), killed, recovered)
    # dying lost a:0 and a:1 (both before its 4503); open_ lost a:0, in the window, and a:1, sent after the
    # new room chatted but before the last 4503: the failover was not over. Nothing counts as outside.
    assert (losses["lost"], losses["lost_outside_the_failover"]) == (4, 0)


def test_a_message_unheard_at_the_kill_was_in_flight_however_long_before_it_was_sent():
    killed, recovered = 10.0, 13.0
    # a:0 and a:1 left well before the kill, on a machine too busy to deliver them in time; a:2 came after.
    sent = [(8.0, "a:0"), (8.5, "a:1"), (14.0, "a:2")]
    losses = chat_losses(sent, (open_socket((9.0, "b:0"), (14.2, "a:2")),), killed, recovered)
    assert (losses["lost"], losses["lost_outside_the_failover"]) == (2, 0)


def test_a_message_skipped_before_the_kill_is_lost_outside_the_failover():
    killed, recovered = 10.0, 13.0
    sent = [(8.0, "a:0"), (8.5, "a:1"), (14.0, "a:2")]
    # a:1 reached the socket before the kill and a:0 never did: the layer skipped a:0, no failover lost it.
    losses = chat_losses(sent, (open_socket((8.6, "a:1"), (14.2, "a:2")),), killed, recovered)
    assert (losses["lost_outside_the_failover"], losses["outside_examples"]) == (1, ["a:0 to 0, sent -2.00 s"])


def test_a_message_sent_after_the_failover_and_never_heard_is_lost_outside_it():
    killed, recovered = 10.0, 13.0
    sent = [(13.5, "a:0"), (14.0, "a:1")]
    losses = chat_losses(sent, (open_socket((13.6, "a:0")),), killed, recovered)
    assert (losses["lost_outside_the_failover"], losses["outside_examples"]) == (1, ["a:1 to 0, sent +4.00 s"])
