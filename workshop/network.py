"""This machine's address on the room's network (lesson 17): what students type to reach it."""

import socket


def lan_address() -> str:
    """The address this machine's traffic leaves from (e.g. 192.168.1.20); 127.0.0.1 if it has no network."""
    # connect() on a UDP socket sends nothing: it only asks the kernel which route, and so which
    # of this machine's addresses, it would use. 10.255.255.255 needs no answer, and no internet.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
