"""Lesson 11 on real processes: which access logs write a query-string token, a terminal client, a browser."""

import asyncio
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from websockets.asyncio.client import connect

from auth_demo.tokens import issue_token
from harness.patience import COMMAND, CONDITION, FRAME
from harness.servers import REPO_DIR
from tests.helpers import ADA_PASSWORD as PASSWORD
from tests.helpers import eventually

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


async def open_with_token_in_the_url(base: str, token: str) -> str:
    """Open ws/auth/token-query/?token=... on the server at `base`; return its first frame."""
    async with connect(f"{base.replace('http', 'ws', 1)}/ws/auth/token-query/?token={token}", origin=base) as ws:
        return await asyncio.wait_for(ws.recv(), FRAME)


async def test_daphnes_access_log_writes_the_path_but_not_the_query_string(daphne):
    """Daphne 4.2 logs request.path only (daphne/access.py): the token is not in its log, the URL is elsewhere."""
    server = daphne()
    token = issue_token(await User.objects.acreate(username="ada"))
    assert await open_with_token_in_the_url(server.http_url, token) == '{"username": "ada"}'
    line = '"WSCONNECT /ws/auth/token-query/"'
    log = await eventually(lambda: line in server.log() and server.log(), f"Daphne's log shows {line}")
    assert token not in log


@pytest.mark.parametrize("asgi_server", ["uvicorn"], indirect=True)
async def test_uvicorns_access_log_writes_the_url_with_the_token_in_it(asgi_server):
    token = issue_token(await User.objects.acreate(username="ada"))
    assert await open_with_token_in_the_url(asgi_server.http_url, token) == '{"username": "ada"}'
    line = f'"WebSocket /ws/auth/token-query/?token={token}" [accepted]'
    await eventually(lambda: line in asgi_server.log(), f"uvicorn's log shows {line}")


async def test_nginx_in_front_of_daphne_writes_the_token_in_its_access_log(deployed_site):
    token = issue_token(await User.objects.acreate(username="ada"))
    assert await open_with_token_in_the_url(deployed_site.http_url, token) == '{"username": "ada"}'
    line = f'"GET /ws/auth/token-query/?token={token} HTTP/1.1" 101'  # nginx's "combined" format
    await eventually(lambda: line in (deployed_site.workdir / "access.log").read_text(), f"nginx's log shows {line}")
    await eventually(lambda: "WSCONNECT /ws/auth/token-query/" in deployed_site.access_log(), "a Daphne logs it")
    assert token not in deployed_site.access_log()  # the Daphnes behind it still write only the path


@pytest.mark.parametrize(("options", "route"), [([], "ws/auth/token/"), (["--subprotocol"], "ws/auth/token-protocol/")])
def test_the_terminal_client_logs_in_with_a_token_read_from_standard_input(daphne, options, route):
    server = daphne()
    token = issue_token(User.objects.create(username="ada"))
    client = [sys.executable, "-m", "auth_demo.token_client", server.http_url, *options]
    result = subprocess.run(
        client,
        input=f"token for ada, valid 5 minutes: {token}\n",
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        timeout=COMMAND,
        check=True,
    )
    assert result.stdout == f'{server.ws_url(route)} says: {{"username": "ada"}}\n'


def test_the_terminal_client_says_a_made_up_token_was_refused_with_4401(daphne):
    server = daphne()
    client = [sys.executable, "-m", "auth_demo.token_client", server.http_url]
    result = subprocess.run(client, input="let-me-in\n", capture_output=True, text=True, cwd=REPO_DIR, timeout=COMMAND)
    assert "closed the socket with code 4401: the token was refused" in result.stdout


def browser_with_a_token(browser, course_server, username: str) -> None:
    """Log `username` in through the login form, open lesson 11's page and press "Get a token"."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    User.objects.create_user(username, password=PASSWORD)  # the server's real hasher
    browser.get(course_server.http_url + "/accounts/login/?next=/lessons/11/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form#login button[type=submit]").click()
    WebDriverWait(browser, CONDITION).until(lambda b: b.current_url.endswith("/lessons/11/"))
    # The new URL shows before the page is parsed: wait for the button itself.
    button = WebDriverWait(browser, CONDITION).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "form#get-token button")
    )
    button[0].click()
    assert results_after(browser, 1)[0] == "got a token, valid 300 s (kept in this page, not shown)"


def results_after(browser, count: int) -> list[str]:
    """The page's token results, once there are `count` of them."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    items = WebDriverWait(browser, CONDITION).until(
        lambda b: (found := b.find_elements(By.CSS_SELECTOR, "#token-results li")) and len(found) >= count and found
    )
    return [item.text for item in items]


@pytest.mark.browser
def test_a_logged_in_browser_gets_a_token_over_http_and_logs_sockets_in_with_it(browser, course_server):
    from selenium.webdriver.common.by import By

    browser_with_a_token(browser, course_server, "lovelace")
    browser.find_element(By.ID, "token-first-frame").click()
    first_frame = results_after(browser, 4)[1:4]
    browser.find_element(By.ID, "token-protocol").click()
    by_subprotocol = results_after(browser, 7)[4:7]
    assert first_frame == [
        'ws/auth/token/: open, subprotocol ""',
        'ws/auth/token/: {"username": "lovelace"}',
        "ws/auth/token/: closed with code 1000",
    ]
    assert by_subprotocol == [
        'ws/auth/token-protocol/: open, subprotocol "bearer"',
        'ws/auth/token-protocol/: {"username": "lovelace"}',
        "ws/auth/token-protocol/: closed with code 1000",
    ]


@pytest.mark.browser
def test_a_browser_fails_the_handshake_if_the_server_echoes_no_offered_subprotocol(browser, course_server):
    """ws/auth/whoami/ accepts without a subprotocol: Chromium drops the socket before onopen, code 1006."""
    from selenium.webdriver.common.by import By

    browser_with_a_token(browser, course_server, "babbage")
    browser.find_element(By.ID, "token-no-echo").click()
    assert (
        results_after(browser, 2)[1] == "ws/auth/whoami/: closed with code 1006 before it opened (the handshake failed)"
    )
