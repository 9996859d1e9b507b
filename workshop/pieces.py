"""The room in pieces (lesson 17): no frame to the instructor's page comes near a WebSocket limit.

Daphne will not send a message over 1 MiB (its websocket_max_message_size: autobahn raises
PayloadExceededError), and sixty students with every exercise and long messages pass that.
So the staff socket (workshop/staff_socket.py) never sends the room as one frame: `pieces()`
packs students' entries into frames of at most PIECE_BYTES, and `parts()` splits the one entry
too big for a piece (a student with thousands of statuses) by its exercises:

    {"piece": {"students": [<entry>, ...], "last": false}}   ... then "last": true
    {"student": <entry>}                    one student changed: their entry replaces the old one
    {"student": {"name": ..., "exercises": {...}, "part": true}}   more exercises of the entry just sent
    {"student": ..., "refresh": true}       a change found by the 5 s read, not told by the layer

However much the room holds, each frame stays under PIECE_BYTES: the page draws as the pieces come.
"""

import json

PIECE_BYTES = 64 * 1024  # bytes of one frame's text, at most: a sixteenth of Daphne's 1 MiB
ROOM_FOR_THE_WRAPPER = 256  # bytes of {"piece": {"students": [...], "last": false}} around the entries


def size(value: object) -> int:
    """The bytes `value` takes in a frame (json.dumps as the socket sends it, encoded)."""
    return len(json.dumps(value).encode())


def parts(entry: dict, limit: int = PIECE_BYTES - ROOM_FOR_THE_WRAPPER) -> list[dict]:
    """The entry whole if it fits `limit`; else the entry with the exercises that fit, then parts with the rest.

    Everything but "exercises" is bounded by workshop/frames.py (a name, a doctor's 20 lines, 20 shares),
    so the first part always fits; a status is bounded too (a check's name, the line it says).
    """
    if size(entry) <= limit:
        return [entry]
    first = entry | {"exercises": {}}
    split, used = [first], size(first)
    for exercise, result in entry["exercises"].items():
        cost = size({exercise: result})  # "{...}" counts two bytes the comma between entries takes
        if used + cost > limit:
            split.append({"name": entry["name"], "exercises": {}, "part": True})
            used = size(split[-1])
        split[-1]["exercises"][exercise] = result
        used += cost
    return split


def pieces(entries: list[dict]) -> list[str]:
    """The texts of the frames that carry `entries` in order: each at most PIECE_BYTES, the last saying so."""
    limit = PIECE_BYTES - ROOM_FOR_THE_WRAPPER
    batches: list[list[dict]] = [[]]
    used = 0
    for entry in entries:
        for part in parts(entry, limit):
            cost = size(part) + 1  # and its comma
            if batches[-1] and used + cost > limit:
                batches.append([])
                used = 0
            batches[-1].append(part)
            used += cost
    last = len(batches) - 1
    return [json.dumps({"piece": {"students": batch, "last": n == last}}) for n, batch in enumerate(batches)]


def changes(entry: dict, **extra) -> list[str]:
    """The texts of the frames that tell the page one student changed: {"student": ..., **extra}, split as parts() splits."""
    return [json.dumps({"student": part} | extra) for part in parts(entry)]
