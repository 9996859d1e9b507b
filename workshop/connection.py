"""Where a student's checkout keeps its connection to the room (lesson 17): the rule, written once.

`workshop join` saves the connection in `.workshop.json` at the checkout's root (git-ignored);
WORKSHOP_FILE moves it (the tests do). workshop/client.py reads and writes it; `exercise` and
`doctor` ask joined() before they import workshop/client.py, so a student who never joined
imports nothing else of the room's. That is why this module needs the standard library alone.
"""

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def connection_file() -> Path:
    """The saved connection, never committed (.gitignore); WORKSHOP_FILE moves it."""
    return Path(os.environ.get("WORKSHOP_FILE") or REPO_DIR / ".workshop.json")


def joined() -> bool:
    """True once `workshop join` has saved a connection (workshop/client.py's load() reads it)."""
    return connection_file().is_file()
