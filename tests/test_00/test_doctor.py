"""Lesson 00: `python manage.py doctor` says whether this machine is ready, and how to fix what is not."""

import pytest
from django.core.management import call_command

from lessons.channel_config import channel_layers


@pytest.mark.django_db
@pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
def test_doctor_passes_on_a_ready_machine(layer, settings, redis_url, capsys):
    settings.REDIS_URL = None if layer == "memory" else redis_url
    call_command("doctor")
    output = capsys.readouterr().out
    assert "FAIL" not in output
    assert "All checks passed" in output


@pytest.mark.django_db
def test_doctor_fails_and_says_how_to_start_redis_when_redis_url_is_closed(settings, capsys):
    closed = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = closed
    settings.CHANNEL_LAYERS = channel_layers(closed)
    with pytest.raises(SystemExit) as exit_info:
        call_command("doctor")
    output = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert f"FAIL  Redis reachable (REDIS_URL): no Redis answers at {closed}" in output
    assert "apt-get install redis-server" in output
    assert "FAIL  channel layer round trip" in output


@pytest.mark.django_db
def test_doctor_prints_a_redis_url_that_answers_without_its_password(settings, redis_url, capsys):
    # Redis 6+ takes any password for a "default" user that has none: this URL answers.
    with_password = redis_url.replace("redis://", "redis://default:not-for-print@", 1)
    settings.REDIS_URL = with_password
    call_command("doctor")
    output = capsys.readouterr().out
    assert "ok    Redis reachable (REDIS_URL) (redis://default:***@" in output
    assert "not-for-print" not in output


@pytest.mark.django_db
def test_doctor_prints_a_redis_url_that_does_not_answer_without_its_password(settings, capsys):
    closed = "redis://:not-for-print@127.0.0.1:1/0"
    settings.REDIS_URL = closed
    settings.CHANNEL_LAYERS = channel_layers(closed)
    with pytest.raises(SystemExit):
        call_command("doctor")
    output = capsys.readouterr().out
    assert "FAIL  Redis reachable (REDIS_URL): no Redis answers at redis://:***@127.0.0.1:1/0" in output
    assert "not-for-print" not in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("redis://:not/for-print@127.0.0.1:6379/0", "a /, ? or # in the password"),
        ("redis://:not-for-print@127.0.0.1:6379/0?bogus=1", "a query parameter redis-py does not know: bogus"),
        ("redis://:not-for-print@127.0.0.1:6379/0?socket_timeout=soon", "redis-py cannot read its socket_timeout"),
    ],
    ids=["unescaped-slash", "unknown-parameter", "unreadable-value"],
)
def test_an_unreadable_redis_url_is_one_line_with_no_traceback_and_no_password(url, why, settings, capsys):
    settings.REDIS_URL = url
    with pytest.raises(SystemExit):
        call_command("doctor")
    output = capsys.readouterr()
    (line,) = [line for line in output.out.splitlines() if line.startswith("FAIL  Redis reachable")]
    assert "REDIS_URL is not a URL redis-py can read" in line and why in line
    assert "Traceback" not in output.out + output.err and "for-print" not in output.out + output.err
