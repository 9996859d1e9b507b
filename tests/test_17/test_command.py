"""Lesson 17: `python manage.py workshop open` and `close` on the instructor's laptop; the student's subcommands wired."""

import re
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from harness.servers import free_port
from tests.helpers.workshop import post_join
from workshop import network, students
from workshop.management.commands import workshop as command
from workshop.models import Workshop

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    """The lines `python manage.py workshop <args>` prints."""
    out = StringIO()
    call_command("workshop", *args, stdout=out)
    return out.getvalue().splitlines()


def test_open_prints_the_join_code_alone_on_its_last_line():
    code = run("open")[-1]
    assert re.fullmatch(r"[A-Z0-9]{6,12}", code)
    assert Workshop.objects.get(closed_at=None).code == code


def test_the_printed_code_admits_a_student(client):
    code = run("open")[-1]
    assert post_join(client, {"code": code, "name": "alice"}).status_code == 201


def test_with_no_room_serving_open_prints_this_machines_address_and_port(monkeypatch, serving):
    monkeypatch.setattr(command, "lan_address", lambda: "192.168.1.20")
    lines = run("open", "--port", "8001")
    join = f"python manage.py workshop join http://192.168.1.20:8001 {lines[-1]} --name <your name>"
    assert join in [line.strip() for line in lines]
    assert "No room answers yet" in "\n".join(lines)


def test_open_prints_the_address_and_port_the_room_serves_at(monkeypatch, serving):
    monkeypatch.setattr(command, "lan_address", lambda: "192.0.2.2")  # a LAN address the room is not served on
    with socket.create_server(("127.0.0.1", 0)) as room:  # `make workshop HOST=127.0.0.1 PORT=<port>`, serving
        port = room.getsockname()[1]
        network.announce(f"http://127.0.0.1:{port}", ("127.0.0.1", port))
        lines = run("open")
    join = f"python manage.py workshop join http://127.0.0.1:{port} {lines[-1]} --name <your name>"
    assert join in [line.strip() for line in lines]


def test_a_room_that_stopped_serving_is_not_the_address_printed(monkeypatch, serving):
    monkeypatch.setattr(command, "lan_address", lambda: "192.168.1.20")
    network.announce(f"http://127.0.0.1:{free_port()}", ("127.0.0.1", free_port()))  # killed: nothing answers
    assert "workshop join http://192.168.1.20:8000 " in "\n".join(run("open"))


def test_open_again_closes_the_open_workshop_and_its_code_stops_working(client):
    first = run("open")[-1]
    second = run("open")[-1]
    assert first != second and Workshop.objects.filter(closed_at=None).count() == 1
    assert post_join(client, {"code": first, "name": "alice"}).status_code == 403


def test_codes_avoid_characters_read_two_ways():
    codes = "".join(command.new_code() for _ in range(200))
    assert set(codes) <= set(command.CODE_ALPHABET) and not set(codes) & set("0O1IL")


def test_close_stops_new_joins_and_says_so(client):
    code = run("open")[-1]
    assert "admits no one new" in run("close")[0]
    assert post_join(client, {"code": code, "name": "alice"}).status_code == 403


def test_close_with_no_workshop_open_says_so_and_succeeds():
    assert run("close") == ["No workshop is open: nothing to close."]


def test_the_lan_address_falls_back_to_loopback_without_a_network(monkeypatch):
    def unreachable(self, address):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    assert network.lan_address() == "127.0.0.1"


@pytest.mark.parametrize(
    ("argv", "function", "arguments"),
    [
        (
            ["join", "http://10.0.0.5:8000", "K7Q2M9XA", "--name", "ada"],
            "join",
            ("http://10.0.0.5:8000", "K7Q2M9XA", "ada"),
        ),
        (["leave"], "leave", ()),
        (["help"], "help", (False,)),
        (["help", "--down"], "help", (True,)),
        (["share", "04.2"], "share", ("04.2",)),
    ],
)
def test_each_student_subcommand_calls_its_function_in_workshop_students(monkeypatch, argv, function, arguments):
    calls = []
    monkeypatch.setattr(students, function, lambda *args: calls.append(args[: len(arguments)]) or 0)
    run(*argv)
    assert calls == [arguments]


def test_a_student_subcommand_that_fails_exits_with_its_status(monkeypatch):
    monkeypatch.setattr(students, "leave", lambda out, err: 1)
    with pytest.raises(SystemExit) as exit:
        run("leave")
    assert exit.value.code == 1
