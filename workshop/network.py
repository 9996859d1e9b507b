"""This machine's address on the room's network (lesson 17): what students type to reach it.

`make workshop` (workshop/serve.py) says where it serves in a git-ignored file
(WORKSHOP_SERVING moves it, as the tests do), and `workshop open` prints that
address in the students' join line: the one the room answers on, not a guess
of this machine's LAN address and port 8000. With no room answering there, it
falls back to the guess and says so.
"""

import json
import os
import socket
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


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


def serving_file() -> Path:
    """Where `make workshop` writes the address it serves (git-ignored); WORKSHOP_SERVING moves it."""
    return Path(os.environ.get("WORKSHOP_SERVING") or REPO_DIR / ".workshop-serving.json")


def announce(url: str, probe: tuple[str, int]) -> None:
    """Say where the room serves: `url` for the students, `probe` the address this machine reaches it at."""
    serving_file().write_text(json.dumps({"url": url, "probe": list(probe)}), encoding="utf-8")


def withdraw() -> None:
    """The room has stopped serving: nothing to announce."""
    serving_file().unlink(missing_ok=True)


def served_url() -> str | None:
    """The URL the running room serves at; None when none is announced, or its port does not answer."""
    try:
        served = json.loads(serving_file().read_text(encoding="utf-8"))
        url, (host, port) = served["url"], served["probe"]
        # Left behind by a room that was killed: only a port that answers is the room's.
        socket.create_connection((host, port), timeout=1).close()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if isinstance(url, str) else None
