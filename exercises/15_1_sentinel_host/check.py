"""Check 15.1: one channels-redis host entry whose primary Sentinel names."""

import pytest
from channels_redis.utils import create_pool
from redis.asyncio.sentinel import SentinelConnectionPool

from exercises.probes import target
from lessons.channel_config import redis_host

SENTINELS = "10.0.0.7:26379, 10.0.0.8:26379,10.0.0.9:26380"


def host() -> dict:
    return target("15.1").sentinel_host(SENTINELS, "lessons")


@pytest.mark.rule(1)
def test_it_has_no_address_of_its_own():
    assert "address" not in host(), f'expected no "address" (Sentinel names the primary), got {host().get("address")!r}'


@pytest.mark.rule(2)
def test_each_sentinel_is_a_host_and_port_pair():
    expected = [("10.0.0.7", 26379), ("10.0.0.8", 26379), ("10.0.0.9", 26380)]
    got = [tuple(pair) for pair in host().get("sentinels", [])]
    assert got == expected, f"expected sentinels {expected} (addresses without spaces, ports as numbers), got {got}"


@pytest.mark.rule(2)
def test_an_ipv6_sentinel_is_its_address_without_the_brackets():
    given = "[::1]:26379,[fd00::7]:26380"
    try:
        got = [tuple(pair) for pair in target("15.1").sentinel_host(given, "lessons").get("sentinels", [])]
    except Exception as error:  # a student's parser may raise anything on an IPv6 entry
        pytest.fail(
            f"REDIS_SENTINELS={given!r} raised {type(error).__name__}: {error}; an IPv6 address holds colons of its "
            "own, so split each entry at its last colon (rpartition), and take the brackets off the address",
            pytrace=False,
        )
    expected = [("::1", 26379), ("fd00::7", 26380)]
    assert got == expected, (
        f"REDIS_SENTINELS={given!r} gave sentinels {got}; expected {expected}: the brackets only mark where an IPv6 "
        'address ends, and redis-py cannot connect to "[::1]"'
    )


@pytest.mark.rule(3)
def test_it_names_the_primary():
    assert host().get("master_name") == "lessons", f'expected master_name "lessons", got {host().get("master_name")!r}'


@pytest.mark.rule(4)
def test_the_primary_keeps_lesson_05s_redis_py_8_settings():
    got = {key: host().get(key, "(redis-py's default)") for key in ("socket_timeout", "max_connections")}
    expected = {"socket_timeout": None, "max_connections": 1000}
    assert got == expected, f"expected lesson 05's settings {expected}, got {got}"
    assert host().get("retry") is not None, "expected a retry, so a command retries on the new primary"
    every = {key: value for key, value in redis_host("").items() if key != "address"}
    differ = {key: host().get(key, "(redis-py's default)") for key, value in every.items() if host().get(key) != value}
    assert not differ, (
        f"expected lesson 05's settings, every one of {sorted(every)} as redis_host() has them, but got {differ}: "
        "with no read timeout, TCP keepalive is what finds a primary that died silently, and the health check and "
        'the retry are what move a connection to the new one. Start from redis_host("") and take its address out'
    )


@pytest.mark.rule(3)
def test_channels_redis_makes_a_sentinel_pool_of_it():
    pool = create_pool(host())
    assert isinstance(pool, SentinelConnectionPool), f"expected a SentinelConnectionPool, got {type(pool).__name__}"
    assert pool.service_name == "lessons", f"the pool asks Sentinel for {pool.service_name!r}, not 'lessons'"


@pytest.mark.rule(5, 2)
def test_each_call_returns_a_host_of_its_own():
    sentinel_host = target("15.1").sentinel_host
    first = sentinel_host("10.0.0.7:26379", "east")
    snapshot = {key: value for key, value in first.items()}
    second = sentinel_host("10.0.1.7:26381,10.0.1.8:26381", "west")
    assert first == snapshot and first is not second, (
        f"a second call (master west) changed the host the first call returned (master east): now {first}. "
        "Two layers in one settings file share that dict; build a new dict on every call"
    )
    assert [tuple(p) for p in first.get("sentinels", [])] == [("10.0.0.7", 26379)], (
        f"a single sentinel 10.0.0.7:26379 expected [('10.0.0.7', 26379)], got {first.get('sentinels')}"
    )


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
