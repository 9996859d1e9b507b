"""Lesson 16: who a client is, for every budget and throttle: one function, so every door counts a client alike.

A limit is only as good as its idea of "one client". Counted by its full
address, an IPv6 client is as many clients as its /64 holds addresses (a home
or a phone usually gets a whole /64): lesson 18's ws/tasks/ counted that way
let 20 addresses of one /64 queue 60 tasks where one IPv4 address gets 3. So
every budget asks the same two functions:

    client_address(scope)  its IPv4 address (an IPv4-mapped IPv6 address is one), or its IPv6 /64;
                           None when it is not one client: no address, or one in
                           CHAT_FLOOD_UNCOUNTED_NETWORKS (the machine itself: 127.0.0.1 and ::1)
    budget_keys(scope)     the budgets it spends from, the account first: ("user", pk) when
                           logged in, then ("address", client_address) when counted

The machine itself is uncounted: behind a proxy started without Daphne's
--proxy-headers, every client arrives from 127.0.0.1, and one budget for all
would let one flooder silence everyone (lesson 16). Behind --proxy-headers the
address is the one the proxy forwards, and deploy/nginx.conf's limit_conn keys
sockets by the same /64 (lesson 13). A demo app may use this module: it is the
project's, like lessons/origins.py, not another lesson's app.
"""

import ipaddress

from django.conf import settings

# This machine (a student's browser, the benchmarks, nginx without --proxy-headers) is not one
# client. Set CHAT_FLOOD_UNCOUNTED_NETWORKS = () to count it; the name is the chat's, where it began.
# The rest of 127.0.0.0/8 is counted: nothing connects from there unless asked to, and the tests and
# benchmarks play a visitor from 127.0.0.2 (deploy/nginx.conf's limit_conn agrees).
DEFAULT_UNCOUNTED = ("127.0.0.1/32", "::1/128")


def client_address(scope: dict) -> str | None:
    """The address a client's budgets count: IPv4 as it is, IPv6 by its /64; None if unknown or uncounted."""
    client = scope.get("client")  # behind nginx, Daphne's --proxy-headers puts the forwarded address here
    if not client or not client[0]:
        return None  # a Unix socket, or a test without one: no address to hold to anything
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return str(client[0])  # a name an ASGI server gave (not an IP): itself, one client
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:203.0.113.7 is 203.0.113.7, on a dual-stack socket
    uncounted = getattr(settings, "CHAT_FLOOD_UNCOUNTED_NETWORKS", DEFAULT_UNCOUNTED)
    if any(address in ipaddress.ip_network(network) for network in uncounted):
        return None
    # Anyone with one IPv6 address usually has its whole /64: count the /64.
    return str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)


def budget_keys(scope: dict) -> list[tuple[str, str]]:
    """The budgets a client with this scope spends from: its account's if logged in, its address's if counted."""
    keys = []
    user = scope.get("user")  # AuthMiddlewareStack loaded it before the consumer started (lesson 07)
    if user is not None and user.is_authenticated:
        keys.append(("user", str(user.pk)))
    address = client_address(scope)
    if address is not None:
        keys.append(("address", address))
    return keys


def request_scope(request) -> dict:
    """What client_address() and budget_keys() read, for a Django request (a view, a middleware)."""
    return {"client": (request.META.get("REMOTE_ADDR") or "", 0), "user": getattr(request, "user", None)}
