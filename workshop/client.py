"""The student's side of the workshop room (lesson 17): join, report, share, and hear the instructor.

`python manage.py workshop join|leave|help|share` (workshop/students.py) calls it;
`python manage.py exercise NN.K` calls it after each check and `doctor` after its
verdict, but only once `workshop join` has saved `.workshop.json`: without that
file neither imports this module, and nothing leaves the laptop.

A report is one short socket to ws/workshop/student/: the token in the first frame
(lesson 11), the payload, its `ok`, close, all inside one deadline. A room that
cannot be reached in time costs the student at most REPORT_BUDGET (0.8 s) and one
line on stderr; the student's own output and exit status never change. A check's
report also asks for the instructor's messages after the last one printed (lesson
12's `since`), prints them after the student's output, once, and says it saw them.
`exercise NN.K --watch` also holds one socket in a background thread (Listener):
it prints the instructor's messages as they come, says it is here every 20 s, and
after the instructor's server restarts comes back with full-jitter backoff (lesson
14) and asks for what it missed with `since`.
"""

import json
import os
import random
import re
import threading
import time
from pathlib import Path

from workshop.connection import connection_file
from workshop.frames import WORKSHOP_ENDED

REPO_DIR = Path(__file__).resolve().parent.parent
STUDENT_SOCKET = "/ws/workshop/student/"
JOIN_TIMEOUT = 5  # seconds: a join, a share or a hand raised, which the student asked for and waits on


def report_budget(default: float = 0.8) -> float:
    """Seconds a report may add to the student's command: WORKSHOP_REPORT_BUDGET, or the default (0.8)."""
    try:  # a typo in the variable must not break the student's own command
        return max(0.1, float(os.environ.get("WORKSHOP_REPORT_BUDGET", default)))
    except ValueError:
        return default


# A report rides along the student's own work: it may add this much and no more (the contract says
# 1 s; the rest is for this module's import and the line on stderr). A room far away (a slow link)
# can raise it for every laptop with WORKSHOP_REPORT_BUDGET=2; so do the tests that prove a report
# arrives, so a busy test machine cannot fail them (the one proving the give-up keeps 0.8 s).
REPORT_BUDGET = report_budget()
HEARTBEAT = 20  # seconds between the watch's {"here": true}: presence is a time (ACTIVE_MINUTES = 5)
BACKOFF_BASE, BACKOFF_CAP = 0.5, 10.0  # full jitter: a random wait in [0, min(cap, base * 2**attempt)]
SHARE_LIMIT = 64 * 1024  # bytes of code in one share frame
DOCTOR_LIMIT = 4000  # bytes of the doctor's verdict as JSON (the room takes 4 KB)


class Unreached(Exception):
    """The room did not take a frame; the message says why in a few words."""


class Forgotten(Unreached):
    """The room refused the token (4401): a forged or stale file. Joining again is the fix."""


class Ended(Forgotten):
    """The room said the workshop this laptop joined has ended (`workshop close`, or a newer one opened)."""


class Unanswered(Unreached):
    """The payload was sent, but its `ok` did not come back: it may well have reached the room."""


# --- the saved connection (where it is: workshop/connection.py) -----------------------------------


def load() -> dict | None:
    """The saved connection ({"url", "name", "token", "last_message"}), or None if there is none usable."""
    try:
        saved = json.loads(connection_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or not all(isinstance(saved.get(key), str) for key in ("url", "name", "token")):
        return None
    if not isinstance(saved.get("last_message"), int):
        saved["last_message"] = 0
    return saved


def save(connection: dict) -> None:
    """Write the file whole or not at all (a watch updates it while commands read it); only its owner reads it."""
    path = connection_file()
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the token
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(connection, file, indent=1)
    os.replace(temporary, path)


def forget() -> dict | None:
    """Delete the saved connection; return what it was (None if there was none)."""
    connection = load()
    connection_file().unlink(missing_ok=True)
    return connection


def remember_message(token: str, message_id: int) -> None:
    """Keep the cursor of the last message shown, unless the student left (or joined another room) meanwhile."""
    connection = load()
    if connection is not None and connection["token"] == token and message_id > connection["last_message"]:
        save({**connection, "last_message": message_id})


# --- joining: one HTTP request ------------------------------------------------------------------


def admit(url: str, code: str, name: str) -> dict:
    """POST the code and name to <url>/workshop/join/; the connection to save, or Unreached(why)."""
    import urllib.error
    import urllib.request

    if not re.fullmatch(r"https?://[^/\s]+/?", url):
        raise Unreached(f"{url!r} is not the instructor's address: it looks like http://192.168.1.20:8000")
    url = url.rstrip("/")
    body = json.dumps({"code": code, "name": name}).encode()
    request = urllib.request.Request(f"{url}/workshop/join/", body, {"Content-Type": "application/json"})
    # No proxy: the instructor's laptop is on the room's own network, where a proxy from the environment
    # would only stand in the way (or see the join code).
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post() -> tuple[int, bytes]:
        try:
            # A second more than the overall bound below, which thus always speaks first, in one sentence.
            with opener.open(request, timeout=JOIN_TIMEOUT + 1) as response:
                return response.status, response.read(65536)
        except urllib.error.HTTPError as error:
            return error.code, error.read(65536)
        except urllib.error.URLError as error:
            raise Unreached(f"nothing answers at {url} ({reason(error.reason)})") from None
        except OSError as error:
            raise Unreached(f"no answer from {url} ({reason(error)})") from None

    status, content = within(JOIN_TIMEOUT, post, f"no answer from {url} within {JOIN_TIMEOUT} s")
    try:
        answer = json.loads(content)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise Unreached(f"{url} answered HTTP {status} without the workshop's JSON: is it the instructor's address?")
    if status != 201:
        error = answer.get("error")
        raise Unreached(error if isinstance(error, str) and error else f"{url} refused the join (HTTP {status})")
    if not isinstance(answer.get("token"), str) or not isinstance(answer.get("name"), str):
        raise Unreached(f"{url} answered 201 without a token and a name: is it the instructor's address?")
    return {"url": url, "name": answer["name"], "token": answer["token"], "last_message": 0}


def depart(connection: dict) -> str | None:
    """POST the token to <url>/workshop/leave/, which ends it (workshop/leave.py): None once it did, else why not."""
    import urllib.error
    import urllib.request

    body = json.dumps({"token": connection["token"]}).encode()
    request = urllib.request.Request(f"{connection['url']}/workshop/leave/", body, {"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy, as for the join

    def post() -> int:
        try:
            with opener.open(request, timeout=JOIN_TIMEOUT + 1) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError as error:
            raise Unreached(f"nothing answers at {connection['url']} ({reason(error.reason)})") from None
        except OSError as error:
            raise Unreached(f"no answer from {connection['url']} ({reason(error)})") from None

    try:
        status = within(JOIN_TIMEOUT, post, f"no answer within {JOIN_TIMEOUT} s")
    except Unreached as why:
        return str(why)
    # 401: the room knows this token no more (closed, or left already): it is over either way.
    return None if status in (200, 401) else f"HTTP {status}"


def reason(error: object) -> str:
    """A few words for a network error: "connection refused", "timed out", ..."""
    if isinstance(error, TimeoutError):
        return "timed out"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text[:1].lower() + text[1:]


def within(seconds: float, function, late: str):
    """function()'s result, or Unreached(late) once `seconds` have passed (it runs on, abandoned, in a daemon thread).

    Each step already has its own timeout; this bounds them all, name lookup included, which has none.
    """
    result: list = []

    def run() -> None:
        try:
            result.append((True, function()))
        except Exception as error:  # handed to the caller, never raised in the thread
            result.append((False, error))

    thread = threading.Thread(target=run, name="workshop-report", daemon=True)
    thread.start()
    thread.join(seconds)
    if not result:
        raise Unreached(late)
    succeeded, value = result[0]
    if not succeeded:
        raise value if isinstance(value, Unreached) else Unreached(reason(value))
    return value


# --- frames over the student socket -------------------------------------------------------------


def socket_url(url: str) -> str:
    return "ws" + url.removeprefix("http") + STUDENT_SOCKET  # http -> ws, https -> wss


def open_socket(connection: dict, timeout: float, ping_interval: float | None = None):
    """A websockets client socket to the room, sent from the page the student joined (the origin check).

    A report lives under a second and needs no pings; the watch's socket pings, so that an instructor's
    laptop gone to sleep is noticed and the watch goes looking for it again.
    """
    from websockets.sync.client import connect

    url, ws_url = connection["url"], socket_url(connection["url"])
    return connect(ws_url, origin=url, open_timeout=timeout, close_timeout=0.2, proxy=None, ping_interval=ping_interval)


def expect(ws, key: str, deadline: float, heard: list | None = None) -> dict:
    """The next frame answering with `key` ("joined", "ok"); instructor messages on the way go to `heard`, if given."""
    while True:
        text = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        try:
            frame = json.loads(text)
        except (TypeError, ValueError):
            raise Unreached("it answered something that is not the workshop's JSON") from None
        if not isinstance(frame, dict):
            raise Unreached("it answered something that is not the workshop's JSON")
        if key in frame:
            return frame
        if frame.get("error") == WORKSHOP_ENDED:  # then 4401: a token of a workshop that is over
            raise Ended(WORKSHOP_ENDED)
        if isinstance(frame.get("error"), str):
            raise Unreached(f"the room said: {frame['error'][:200]}")
        if "instructor" not in frame:
            raise Unreached(f"it answered {text[:60]!r} where the workshop answers {key!r}")
        if heard is not None and (message := instructor(frame)) is not None:
            heard.append(message)


def instructor(frame: object) -> tuple[int, str] | None:
    """(id, text) of an {"instructor": {"id", "text", ...}} frame; None for any other."""
    message = frame.get("instructor") if isinstance(frame, dict) else None
    if not isinstance(message, dict) or type(message.get("id")) is not int or not isinstance(message.get("text"), str):
        return None
    return message["id"], message["text"]


def converse(
    connection: dict, payloads: list[dict], deadline: float, heard: list | None = None, sent: list | None = None
) -> None:
    """Token, `joined`, then each payload and its `ok`; Unreached(why) on anything else.

    With `heard` (a list), the token asks for the instructor's messages after the last one printed
    (lesson 12's `since`); each goes into `heard`, and the room is told they were seen. Each payload
    is added to `sent` once it is on its way: whoever gives up on the answer can tell a report that
    never left from one whose `ok` is late.
    """
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

    sent = [] if sent is None else sent
    first = {"token": connection["token"]} | ({} if heard is None else {"since": connection["last_message"]})
    try:
        with open_socket(connection, max(0.01, deadline - time.monotonic())) as ws:
            ws.send(json.dumps(first))
            expect(ws, "joined", deadline, heard)
            for payload in payloads:
                ws.send(json.dumps(payload))
                sent.append(payload)
                expect(ws, "ok", deadline, heard)
            if heard:  # every one came before the last `ok`: the room counts them seen ("seen by 12 of 30")
                ws.send(json.dumps({"seen": max(number for number, _ in heard)}))
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
        if code == 4401:
            raise Forgotten("the room does not know this laptop: join again") from None
        raise Unreached(f"the room closed the socket ({code or 'no close frame'})") from None
    except InvalidStatus as refused:
        raise Unreached(f"the server refused the socket: HTTP {refused.response.status_code}") from None
    except (InvalidHandshake, InvalidURI):
        raise Unreached("it does not speak WebSocket") from None
    except TimeoutError:
        raise Unreached("no answer in time") from None
    except OSError as error:
        raise Unreached(reason(error)) from None


def deliver(payloads: list[dict], budget: float | None = None, heard: list | None = None) -> Unreached | None:
    """Send each payload to the room within `budget` seconds (REPORT_BUDGET) in all: None once all were taken,
    else why not (Unanswered when the last was sent and its `ok` did not come)."""
    budget = REPORT_BUDGET if budget is None else budget  # read at each call: a test may widen it
    connection = load()
    if connection is None:
        return Unreached(f"{connection_file().name} holds no connection: `python manage.py workshop join` again")
    deadline, sent = time.monotonic() + budget, []
    try:
        within(budget, lambda: converse(connection, payloads, deadline, heard, sent), f"no answer within {budget:g} s")
    except Ended as why:
        return why
    except Unreached as why:
        return Unanswered(str(why)) if len(sent) == len(payloads) else why
    return None


def report(payload: dict) -> bool:
    """One report (a check's result, the doctor's verdict), within REPORT_BUDGET; never raises."""
    try:
        return deliver([payload]) is None
    except Exception:  # the student's own work must never fail because of the room
        return False


def tell(payload: dict, stderr, stdout=None) -> bool:
    """report(payload), and if it did not arrive, one line on stderr saying so; the caller's output is untouched.

    Given `stdout`, the instructor's messages this laptop has not printed come with the answer and are
    printed there after the caller's output, each once, in order: unless a watch in this process
    (Listener) prints them already, as they come.
    """
    heard = [] if stdout is not None and not Listener.listening.is_set() else None
    try:
        why = deliver([payload], heard=heard)
    except Exception as error:  # the student's own work must never fail because of the room
        why = reason(error)
    if heard:
        connection = load()
        printed = connection["last_message"] if connection is not None else 0
        for number, words in sorted(dict(list(heard)).items()):  # a copy: the thread may still be adding
            if number > printed:
                stdout.write(f"\nFrom the instructor: {printable(words)}\n")
                printed = number
        if connection is not None:
            remember_message(connection["token"], printed)
    if why is None:
        return True
    where = (load() or {}).get("url", "the workshop")
    if isinstance(why, Ended):  # not a fault to fix by joining again: nothing more is reported
        forget()
        stderr.write(f"workshop: the workshop at {where} has ended, so this checkout reports to it no more.\n")
    elif isinstance(why, Unanswered):  # sent: the room may well have it, only its answer is missing
        stderr.write(f"workshop: this result was sent to {where}, but its answer did not come back ({why});")
        stderr.write(" your own result above is unchanged.\n")
    else:
        stderr.write(f"workshop: this result did not reach {where} ({why}); your own result above is unchanged.\n")
    return False


def report_check(exercise_id: str, outcome, stderr, stdout=None) -> bool:
    """After `exercise NN.K` checked the student's file: passing, or failing and which check (never the code).

    Given `stdout`, the instructor's messages missed since the last one printed are printed there (tell()).
    """
    if outcome.passed:
        return tell({"report": {"exercise": exercise_id, "status": "passing", "check": None}}, stderr, stdout)
    # Without a named check the kit's own sentence up to its colon ("your file does not compile").
    check = outcome.failed_check or outcome.message.split(":", 1)[0] or "the check could not run"
    report = {"exercise": exercise_id, "status": "failing", "check": check[:200], "says": says(outcome.message)}
    return tell({"report": report}, stderr, stdout)


def says(message: str) -> str:
    """The first line the terminal printed after "What it says:", any password in a URL masked (as doctor's).

    The check's sentence, not the student's code: the traceback ("Where, in your code") is never sent.
    """
    from workshop.masking import masked

    line = (message.strip().splitlines() or [""])[0]
    return masked(line)[:300]


def report_doctor(failed: list[str], warned: list[str], stderr) -> bool:
    """After `doctor`: ready or not, and each FAIL and warn line, without any password a URL in them carries."""
    import platform

    import django

    lines = [f"FAIL  {line}" for line in failed] + [f"warn  {line}" for line in warned]
    from workshop.masking import masked

    problems = [masked(line)[:300] for line in lines]
    verdict = {"ready": not failed, "problems": problems, "python": platform.python_version()}
    verdict["django"] = django.get_version()
    while len(json.dumps(verdict).encode()) > DOCTOR_LIMIT and verdict["problems"]:
        verdict["problems"].pop()
    return tell({"doctor": verdict}, stderr)


# --- the watch's socket ---------------------------------------------------------------------------


def printable(text: str) -> str:
    """The instructor's text without control characters: a message may not drive the student's terminal."""
    return "".join(c if c.isprintable() or c == "\n" else "?" for c in text)


class Listener(threading.Thread):
    """`exercise NN.K --watch`'s held socket: each instructor message printed once, across restarts of either side."""

    # Set while a watch of this process listens: its reports then ask for no backlog (it prints them itself).
    listening = threading.Event()

    def __init__(self, stdout, stderr, heartbeat: float = HEARTBEAT):
        super().__init__(name="workshop-listener", daemon=True)  # Ctrl-C ends the watch, and this with it
        self.stdout, self.stderr, self.heartbeat = stdout, stderr, heartbeat
        self.stopping = threading.Event()
        self.joined = threading.Event()  # set while a socket is in the room (the tests wait on it)
        self.token, self.shown = None, 0  # whose connection, and the replay cursor: the newest id printed
        self.ws = None

    def start(self) -> None:
        Listener.listening.set()  # before the watch's first check reports, not when the thread gets going
        super().start()

    def run(self) -> None:
        """Called in the thread: connect, listen until the socket ends, wait a jittered while, again."""
        try:
            self.listen_until_stopped()
        finally:
            Listener.listening.clear()

    def listen_until_stopped(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            connection = load()
            if connection is None:  # `workshop leave`: nothing more to hear
                return
            if connection["token"] != self.token:  # first, or joined again: that room's cursor
                self.token, self.shown = connection["token"], connection["last_message"]
            try:
                if self.listen(connection) == "moved":  # `workshop leave`, or a join elsewhere: no outage,
                    attempt = 0  # so no backoff, and none owed, before looking at the saved connection again
                    continue
            except Forgotten as why:
                self.stderr.write(f"workshop: the watch stops listening to {connection['url']}: {why}.\n")
                return
            except Exception:  # the server went away, or answered nonsense: try again later
                pass
            if self.joined.is_set():  # it was in the room: the next outage starts the backoff over
                attempt = 0
            self.joined.clear()
            # Full jitter (lesson 14): a room of laptops whose server restarts must not all come back at once.
            self.stopping.wait(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
            attempt += 1

    def listen(self, connection: dict) -> str | None:
        """One socket: the token with `since`, then messages as they come and a heartbeat when it is due.

        Returns "moved" when the saved connection is no longer this one; None when asked to stop.
        """
        from websockets.exceptions import ConnectionClosed

        try:
            with open_socket(connection, JOIN_TIMEOUT, ping_interval=HEARTBEAT) as self.ws:
                self.ws.send(json.dumps({"token": connection["token"], "since": self.shown}))
                expect(self.ws, "joined", time.monotonic() + 10)
                self.joined.set()
                due = time.monotonic() + self.heartbeat
                while not self.stopping.is_set():
                    try:
                        text = self.ws.recv(timeout=max(0.0, due - time.monotonic()))
                    except TimeoutError:
                        if (load() or {}).get("token") != connection["token"]:
                            self.joined.clear()  # `workshop leave` (or a join elsewhere) meanwhile: out of this room
                            return "moved"
                        self.ws.send(json.dumps({"here": True}))
                        due = time.monotonic() + self.heartbeat
                        continue
                    if (printed := self.show(text, connection["token"])) is not None:
                        # The room counts it seen ("seen by 12 of 30"); its {"ok": "seen"} is not waited for.
                        self.ws.send(json.dumps({"seen": printed}))
        except ConnectionClosed as closed:
            if closed.rcvd and closed.rcvd.code == 4401:
                raise Forgotten("the room does not know this laptop: join again") from None
            raise

    def show(self, text, token: str) -> int | None:
        """Print an instructor message not printed before, and remember it was (a replay may repeat ids); its id."""
        try:
            message = json.loads(text)["instructor"]
            number, words = message["id"], message["text"]
        except (TypeError, ValueError, KeyError):
            return None  # an answer or anything else: the watch only shows the instructor's words
        if not isinstance(number, int) or not isinstance(words, str) or number <= self.shown:
            return None
        self.shown = number
        self.stdout.write(f"\nFrom the instructor: {printable(words)}\n")
        self.stdout.flush()
        remember_message(token, number)
        return number

    def stop(self) -> None:
        self.stopping.set()
        Listener.listening.clear()  # now: the thread may take a moment to end
        if self.ws is not None:
            self.ws.close()
