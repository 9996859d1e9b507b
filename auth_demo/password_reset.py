"""Lesson 16: the password-reset form, answering alike for every address, its mail sent after the answer.

Django's PasswordResetView (/accounts/password_reset/) looks the address up and,
for an account, renders the mail and hands it to the mail server before it
answers. So the answer for a known address came later than for an unknown one
(a stranger could time it to find accounts), and with no mail server every such
request wrote a ConnectionRefusedError traceback to the log. Here the view's
form does the same work for every address: it hands the address to OUTBOX, one
thread of this process, and answers. The thread looks the accounts up, renders
and sends, in turn.

A mail server that fails is said once, in one line without a traceback, then
not again until a mail goes out: an operator sees it, and a stranger cannot
fill the log by asking. Development sends to the console (lessons/settings.py).

What it does not cover: a mail handed to the thread lives in this process's
memory; one that has not gone out when the process stops is lost (at most
once, like lesson 06's worker). Lesson 18's Tasks framework would keep it in a
row until a worker sends it, at the price of a worker to run.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections
from django.template import loader

logger = logging.getLogger(__name__)
# One thread: mails go out one at a time, in the order asked, whatever the requests do meanwhile.
OUTBOX = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-reset-mail")
UNSENT = (
    "password reset mail is not being sent: %s: %s (backend %s, mail server %s:%s); "
    "the reset form still answers; further failures are not logged until a mail goes out"
)


class MailState:
    """Whether the last mail failed: its error was logged, and the next ones are not until one is sent."""

    failing = False


class AnswerFirstResetForm(PasswordResetForm):
    """Django's reset form, whose save() answers at once and leaves the looking up and the mail to OUTBOX."""

    def save(self, request=None, domain_override=None, **options):
        """Called by the view for a valid form: the same work for a known address and an unknown one."""
        # The thread has no request: the site's name and domain are read here, as Django would read them.
        site = get_current_site(request)
        options.update(domain_override=domain_override or site.domain)
        OUTBOX.submit(mail_resets, self.cleaned_data["email"], options)

    def send_mail(self, subject_template, body_template, context, from_email, to_email, html_email_template_name=None):
        """Called for each account the address names, in OUTBOX's thread: render and send, failures raised."""
        # Django's own catches every failure and logs it with its traceback, once per request.
        subject = "".join(loader.render_to_string(subject_template, context).splitlines())
        message = EmailMultiAlternatives(
            subject, loader.render_to_string(body_template, context), from_email, [to_email]
        )
        if html_email_template_name is not None:
            message.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        message.send()
        if MailState.failing:
            logger.warning("password reset mail goes out again")
        MailState.failing = False


def mail_server() -> tuple:
    """The default mailer's backend, host and port, as the log line names them."""
    if hasattr(settings, "MAILERS"):  # Django 6.1+: what lessons/settings.py's mail_settings() set
        mailer = settings.MAILERS["default"]
        return mailer["BACKEND"], mailer.get("OPTIONS", {}).get("host"), mailer.get("OPTIONS", {}).get("port")
    return settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT


def mail_resets(email: str, options: dict) -> None:
    """In OUTBOX's thread: a reset link to each active account with this address; a failure said once."""
    close_old_connections()  # this thread's own database connection, as a request would have
    try:
        form = AnswerFirstResetForm({"email": email})
        if form.is_valid():
            PasswordResetForm.save(form, **options)
    except OSError as error:  # refused, timed out, or an SMTP error (smtplib's are OSErrors)
        if not MailState.failing:
            logger.error(UNSENT, type(error).__name__, error, *mail_server())
        MailState.failing = True
    except Exception:  # a bug, not an outage: its traceback is what a developer needs
        logger.exception("password reset mail to an account failed")
    finally:
        close_old_connections()


def drain(timeout: float) -> None:
    """Return once every mail asked for so far has been sent or has failed (tests, and a shutdown)."""
    OUTBOX.submit(lambda: None).result(timeout)


# Django's view, with the form above: /accounts/password_reset/ (auth_demo/urls.py, ahead of Django's own).
password_reset = PasswordResetView.as_view(form_class=AnswerFirstResetForm)
