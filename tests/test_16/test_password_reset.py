"""Lesson 16: the password-reset form answers a known and an unknown address alike, in the same work, and a
missing mail server is said once, without a traceback (auth_demo/password_reset.py)."""

import importlib
import logging
import sys
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from harness.patience import FRAME
from harness.servers import free_port
from lessons.settings import SMTP_BACKEND, mail_settings

# The outbox's thread reads the accounts: they must be committed, not in the test's transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("login_clock")]
KNOWN, UNKNOWN = "ada@example.org", "nobody@example.org"  # ada_with_mail's (tests/fixtures/throttle.py)


def ask_for_a_reset(client, email: str) -> tuple[tuple, list[str], list[str]]:
    """POST the reset form: (status, Location, body), and the templates and queries of the request itself."""
    me, rendered = threading.get_ident(), []

    def seen(sender, template, **kwargs):  # the outbox's thread renders too: only this one's are the request's
        if threading.get_ident() == me:
            rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        with CaptureQueriesContext(connection) as queries:  # this thread's connection: the request's queries
            response = client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR="192.0.2.7")
    finally:
        template_rendered.disconnect(seen)
    answer = (response.status_code, response.get("Location"), response.content)
    return answer, rendered, [query["sql"] for query in queries.captured_queries]


def test_a_known_and_an_unknown_address_get_the_same_answer_from_the_same_work(ada_with_mail, client, reset_outbox):
    known, unknown = ask_for_a_reset(client, KNOWN), ask_for_a_reset(client, UNKNOWN)
    assert known[0] == unknown[0] == (302, "/accounts/password_reset/done/", b"")
    assert known[1:] == unknown[1:]  # no mail rendered, no account looked up, while the client waits


def test_a_known_address_is_mailed_its_link_and_an_unknown_one_nothing(ada_with_mail, client, reset_outbox):
    ask_for_a_reset(client, UNKNOWN)
    ask_for_a_reset(client, KNOWN)
    reset_outbox.drain(FRAME)
    assert [message.to for message in mail.outbox] == [[KNOWN]]
    assert "/accounts/reset/" in mail.outbox[0].body


def send_mail_with(settings, backend: str, port: int = 25) -> None:
    """Mail sent with this backend (to a mail server on 127.0.0.1:port), in the settings of any Django line."""
    for name, value in mail_settings(backend, "127.0.0.1", port).items():
        setattr(settings, name, value)


def test_with_no_mail_server_the_operator_is_told_once_and_never_shown_a_traceback(
    ada_with_mail, client, reset_outbox, settings, caplog
):
    send_mail_with(settings, SMTP_BACKEND, free_port())  # nothing listens there
    caplog.set_level(logging.WARNING)
    answers = [ask_for_a_reset(client, KNOWN)[0][0] for _ in range(3)]
    reset_outbox.drain(FRAME)
    assert answers == [302] * 3
    assert [record.exc_info for record in caplog.records] == [None]
    assert "password reset mail is not being sent: ConnectionRefusedError" in caplog.records[0].getMessage()


def test_once_mail_goes_out_again_a_later_failure_is_told_again(ada_with_mail, client, reset_outbox, settings, caplog):
    nowhere = free_port()
    send_mail_with(settings, SMTP_BACKEND, nowhere)
    caplog.set_level(logging.WARNING)
    ask_for_a_reset(client, KNOWN)
    reset_outbox.drain(FRAME)
    send_mail_with(settings, "django.core.mail.backends.locmem.EmailBackend")
    ask_for_a_reset(client, KNOWN)
    reset_outbox.drain(FRAME)
    send_mail_with(settings, SMTP_BACKEND, nowhere)
    ask_for_a_reset(client, KNOWN)
    reset_outbox.drain(FRAME)
    assert [record.levelname for record in caplog.records] == ["ERROR", "WARNING", "ERROR"]


def mail_backend(settings_module) -> str:
    """The backend a settings module sends mail with, as Django 6.1+ (MAILERS) or 5.2 (EMAIL_BACKEND) reads it."""
    if hasattr(settings_module, "MAILERS"):
        return settings_module.MAILERS["default"]["BACKEND"]
    return settings_module.EMAIL_BACKEND


def test_development_prints_the_reset_mail_and_production_sends_it_by_smtp(monkeypatch):
    development = importlib.import_module("lessons.settings")  # the module itself: tests swap the live setting
    assert mail_backend(development) == "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test-only-" + "x" * 30)
    monkeypatch.setenv("ALLOWED_HOSTS", "lessons.example.org")
    monkeypatch.delitem(sys.modules, "lessons.settings_production", raising=False)
    production = importlib.import_module("lessons.settings_production")
    assert mail_backend(production) == SMTP_BACKEND
