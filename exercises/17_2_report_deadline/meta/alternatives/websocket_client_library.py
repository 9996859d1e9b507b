"""Alternative 17.2, another library: websocket-client (sync), its socket timeout set to what is left before each step."""

import json
import time

import websocket

BUDGET = 1.0  # seconds for the whole report


def report(url: str, token: str, payload: dict) -> str | None:
    """Tell the room `payload`: None once it said ok, else one line saying why not. Never raises."""
    deadline = time.monotonic() + BUDGET

    def left() -> float:
        return max(deadline - time.monotonic(), 0.001)

    socket = websocket.WebSocket()
    try:
        socket.connect(url, timeout=left())
        for frame, key in (({"token": token}, "joined"), (payload, "ok")):
            socket.send(json.dumps(frame))
            socket.settimeout(left())
            opcode, data = socket.recv_data()
            answer = json.loads(data) if opcode == websocket.ABNF.OPCODE_TEXT else None
            if not isinstance(answer, dict) or key not in answer:
                raise ValueError(f"the room answered {data!r}, not {{{key!r}: ...}}")
    except (OSError, websocket.WebSocketException, ValueError, RecursionError) as error:
        why = f"the report did not arrive ({type(error).__name__}: {error})"
        return " ".join((why.replace(token, "<your token>") if token else why).split())[:200]
    finally:
        try:  # the close waits a moment at most for a room that never answers it
            socket.close(timeout=0.1)
        except (OSError, websocket.WebSocketException):
            pass
        socket.shutdown()  # the TCP socket too, even when the room closed first
    return None
