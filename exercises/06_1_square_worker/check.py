"""Check 06.1: a worker consumer that squares numbers, and survives a bad job.

The task's rules, in its order: 1. a square job is answered on its own reply channel, an int (jobs from two clients
each on their own); 2. a job that is not an integer gets an error reply; 3. a square the Redis layer cannot carry gets
an error reply; 4. a bad job (or a full reply channel) does not stop the worker; 5. the loop is never held (and the
battery: nothing sets DJANGO_ALLOW_ASYNC_UNSAFE).
"""

import asyncio

import pytest

from exercises.probes import never_blocks, proved, sends_as_redis_does
from exercises.probes.outside_consumers import answers_to, full_channel, received_on, square_error, stop, survived
from exercises.probes.outside_consumers import worker

RULE = 'A worker answers each job on its reply_to: {"type": "square.done", ...} or {"type": "square.error", ...}'
STALL = 0.25  # a blocking call stalls for as long as it blocks; a loaded machine, for tens of ms on its own
SQUARES = ("06.1", RULE, "SquareWorker", "squares")  # the worker of the file under check, served on "squares"


@pytest.mark.rule(1, 5)
async def test_a_square_job_is_answered_on_its_reply_channel():
    running, layer, replies = await worker(*SQUARES)
    async with never_blocks(STALL):
        await running.send_input({"type": "square.job", "n": 12, "reply_to": replies})
        got = await received_on(layer, replies)
        await stop(running)
    assert got == {"type": "square.done", "result": 144}, (
        f'expected {{"type": "square.done", "result": 144}} on the reply_to channel, got {got}: a worker has no '
        "socket to answer on; the job says where the answer goes"
    )
    assert type(got["result"]) is int, (
        f"the result came as {got['result']!r}, a {type(got['result']).__name__}: the square of an integer is the "
        "integer n * n; math.pow() and ** 2.0 give a float, which loses digits past 2**53"
    )


@pytest.mark.rule(1, 5)
async def test_jobs_from_two_clients_are_each_answered_on_their_own_channel():
    running, layer, alice = await worker(*SQUARES)
    async with never_blocks(STALL):
        bob = await layer.new_channel()
        for n, channel in ((3, alice), (-4, bob), (0, alice)):
            await running.send_input({"type": "square.job", "n": n, "reply_to": channel})
        got = [await received_on(layer, alice), await received_on(layer, bob), await received_on(layer, alice)]
        await stop(running)
    expected = [{"type": "square.done", "result": r} for r in (9, 16, 0)]
    assert got == expected, (
        f"jobs n=3 and n=0 from alice and n=-4 from bob: expected {expected} (alice, bob, alice), got {got}: "
        "each answer goes to the reply_to of its own job, negative numbers and 0 included"
    )
    proved("sockets", 2)
    proved("boundaries", 2)


@pytest.mark.rule(2)
@pytest.mark.parametrize("n", ["twelve", "12", 2.5, 3.0, True, None, [3], "missing"])
async def test_a_job_that_is_not_an_integer_gets_an_error_reply(n):
    running, layer, replies = await worker(*SQUARES)
    await running.send_input({"type": "square.job", "reply_to": replies, **({} if n == "missing" else {"n": n})})
    got = await received_on(layer, replies)
    error = square_error(got)
    await stop(running)
    assert isinstance(error, str) and error.strip(), (
        f'a job with n={n!r} must be answered {{"type": "square.error", "error": "<why>"}} on its reply_to, got '
        f"{got}: n is not an integer (true, 2.5 and 3.0 are not either), and a caller left waiting believes it worked"
        + ("; an empty error tells it nothing (str() of an exception raised bare is '')" if error == "" else "")
    )


@pytest.mark.rule(4)
async def test_a_bad_job_does_not_stop_the_worker():
    running, layer, replies = await worker(*SQUARES)
    full = await full_channel(layer)  # its client left with answers unread: it takes no more
    bad = ({"n": "twelve", "reply_to": replies}, {"n": 5}, {"n": 5, "reply_to": None}, {"n": 5, "reply_to": ""})
    unsendable = ({"n": 5, "reply_to": 7}, {"n": 5, "reply_to": "not a channel!"}, {"n": "x", "reply_to": "a" * 100})
    for job in (*bad, *unsendable, {"n": 5, "reply_to": full}, {"n": "x", "reply_to": full}):
        await running.send_input({"type": "square.job", **job})
        await asyncio.sleep(0.05)
        if job.get("reply_to") == full:
            gone = f"a job whose reply_to channel was full (its client gone, {layer.capacity} answers unread)"
            why = "nobody is left to tell, so drop that answer and serve the next job"
            survived(running, gone, f"send() raises ChannelFull there, and {why}", said=False)
        if running.future.done():
            await stop(running)  # fails the check with the exception that ended the worker
    while isinstance(await received_on(layer, replies, 1), dict):
        pass  # the answer to the first bad job, or nothing: read until nothing more can come (or 1 s of silence)
    await running.send_input({"type": "square.job", "n": 3, "reply_to": replies})
    got = await received_on(layer, replies)
    await stop(running)
    assert got == {"type": "square.done", "result": 9}, (
        f"after bad jobs (n text; reply_to missing, null, empty, a number, no channel name or full) the worker must "
        f"still answer the next job, got {got}: bad input never crashes a consumer (a crashed worker serves nobody)"
    )


@pytest.mark.rule(3)
async def test_a_square_the_redis_layer_cannot_carry_gets_an_error_reply(monkeypatch):
    running, layer, replies = await worker(*SQUARES)
    sends_as_redis_does(layer, monkeypatch)  # (2**32 - 1)**2 still fits; (2**32)**2 is 2**64
    got = await answers_to(running, layer, replies, (2**32 - 1, 2**32, -(2**32), 10**30, 3))
    survived(
        running,
        f"a job whose square does not fit the Redis layer (n={[*got][-1]})",
        "send() raises OverflowError for an integer msgpack cannot write (2**64 or more): tell the caller with "
        '{"type": "square.error", ...} and serve the next job',
    )
    await stop(running)
    for n in (2**32, -(2**32), 10**30):
        error = square_error(got[n])
        assert isinstance(error, str) and error.strip(), (
            f'a job with n={n} must be answered {{"type": "square.error", "error": "<why>"}} on its reply_to, got '
            f"{got[n]}: its square does not fit the Redis layer (msgpack writes integers up to 2**64 - 1, and "
            "send() raises OverflowError), and a caller left waiting believes it worked"
        )
    for n in (2**32 - 1, 3):
        assert got[n] == {"type": "square.done", "result": n * n}, (
            f'a job with n={n} expected {{"type": "square.done", "result": {n * n}}}, got {got[n]}: a square up to '
            "2**64 - 1 fits the Redis layer; only a larger one is an error"
        )
    proved("boundaries", 2)


# The standard battery of what this exercise builds (a worker), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
