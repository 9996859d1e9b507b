"""Lesson 16: every budget counts a client the same way, with one function (lessons/clients.py).

An account, else an IPv4 address, else an IPv6 /64; the machine itself, and a client with no address,
are no one client. Each route that saves, broadcasts or queues is walked by
tests/test_16/test_every_route_budgeted.py from two addresses of one /64; here, the function itself,
and a check that no other module of the course names a client by its address.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, User

from course.catalogue import REPO_DIR
from lessons.clients import budget_keys, client_address

ADA = User(pk=7, username="ada")  # logged in: what AuthMiddlewareStack puts in the scope (lesson 07)
# Every folder of the course's own code: what a client is must be asked of lessons/clients.py alone.
CODE = ("lessons", "course", "harness", "workshop", *sorted(p.name for p in REPO_DIR.glob("*_demo")))


def at(address: str | None, user=None) -> dict:
    return {"client": (address, 50000) if address is not None else None, "user": user or AnonymousUser()}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("2001:db8:1:2::10", "2001:db8:1:2:ffff:ffff:ffff:ffff"),
        ("2001:db8::1", "2001:db8:0:0:1::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
    ids=["one-ipv6-64", "the-64-of-zeros-written-two-ways", "ipv4-mapped"],
)
def test_addresses_of_one_client_are_one_client(one, other):
    assert client_address(at(one)) == client_address(at(other)) is not None


@pytest.mark.parametrize(
    ("one", "other"),
    [("2001:db8:1:2::10", "2001:db8:1:3::10"), ("203.0.113.7", "203.0.113.8")],
    ids=["neighbouring-64s", "neighbouring-ipv4-addresses"],
)
def test_addresses_of_two_clients_are_two_clients(one, other):
    assert client_address(at(one)) != client_address(at(other))


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "", None])
def test_the_machine_itself_and_a_client_without_an_address_are_no_one_client(address):
    assert client_address(at(address)) is None
    assert budget_keys(at(address)) == []


def test_another_loopback_address_is_a_visitor_as_the_tests_play_one():
    assert client_address(at("127.0.0.2")) == "127.0.0.2"


def test_the_uncounted_networks_come_from_settings(settings):
    settings.CHAT_FLOOD_UNCOUNTED_NETWORKS = ("127.0.0.0/8",)
    assert client_address(at("127.0.0.2")) is None


def test_an_account_is_counted_first_then_its_address():
    assert budget_keys(at("2001:db8:1:2::10", ADA)) == [("user", "7"), ("address", "2001:db8:1:2::/64")]


IMPORTS_IPADDRESS = re.compile(r"^\s*(import ipaddress|from ipaddress import)", re.MULTILINE)


def names_a_client_by_its_address(path) -> bool:
    """Whether a module reads an IP address itself: it imports ipaddress (a line of its own, as ruff sorts them)."""
    return IMPORTS_IPADDRESS.search(path.read_text(encoding="utf-8")) is not None


def test_no_module_but_lessons_clients_names_a_client_by_its_address():
    found = sorted(
        str(path.relative_to(REPO_DIR))
        for folder in CODE
        for path in (REPO_DIR / folder).rglob("*.py")
        if names_a_client_by_its_address(path)
    )
    assert found == ["lessons/clients.py"]
