"""The inspector on the lesson pages, in a real Chromium: the "server side" panel draws each page's own sockets."""

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers.pages import LessonPage

pytestmark = pytest.mark.browser

STEPS = (By.CSS_SELECTOR, "#inspector-rows .step")
ECHO = ["websocket.connect", "websocket.accept", "websocket.receive", "websocket.send", "websocket.disconnect"]


def panel_labels(page: LessonPage, last: str = "StopConsumer") -> list[str]:
    """The panel's rows, once a row starting with `last` has been drawn."""
    labels = lambda _: [step.get_attribute("data-label") for step in page.browser.find_elements(*STEPS)]  # noqa: E731
    WebDriverWait(page.browser, 10).until(lambda driver: any(label.startswith(last) for label in labels(driver)))
    return labels(None)


def in_order(expected: list[str], labels: list[str]) -> bool:
    """True when each expected label starts a row, in this order (other rows may come between)."""
    rows = iter(labels)
    return all(any(label.startswith(step) for label in rows) for step in expected)


@pytest.mark.parametrize(("lesson", "path"), [("01", "ws/sync/echo/"), ("02", "ws/async/echo/")])
def test_the_panel_draws_an_echo_from_connect_to_stop_consumer(browser, inspected_server, lesson, path):
    page = LessonPage(browser, f"{inspected_server.http_url}/lessons/{lesson}/")
    page.connect()
    page.send("hello")
    page.wait_for_received("hello")
    browser.find_element(By.ID, "disconnect").click()
    labels = panel_labels(page)
    assert in_order([f"WebSocket handshake /{path}", "scope", *ECHO, "StopConsumer"], labels), labels


def test_each_chat_page_draws_the_layer_message_behind_its_frame_and_only_its_socket(browser, inspected_server):
    url = f"{inspected_server.http_url}/lessons/04/"
    alice = LessonPage(browser, url)
    alice.connect()
    browser.switch_to.new_window("tab")
    bob = LessonPage(browser, url)
    bob.connect()
    bob.send('{"message": "hi from bob"}', button="send-json")
    bob.wait_for_received("hi from bob")
    browser.find_element(By.ID, "disconnect").click()
    bobs = panel_labels(bob)
    browser.switch_to.window(browser.window_handles[0])
    alice.wait_for_received("hi from bob")
    browser.find_element(By.ID, "disconnect").click()
    alices = panel_labels(alice)
    joined = ["websocket.connect", "group_add", "websocket.accept"]
    assert in_order(
        [*joined, "chat.message → chat_message()", "websocket.send", "group_discard", "StopConsumer"], alices
    )
    assert in_order([*joined, "websocket.receive", "group_send", "chat.message", "websocket.send"], bobs)
    assert "websocket.receive" not in alices  # bob's frame is on bob's panel only
    assert len(browser.find_elements(By.CSS_SELECTOR, "#inspector-rows .connection")) == 1


@pytest.mark.django_db(transaction=True)
def test_the_panel_shows_no_password_session_key_or_handoff_of_a_socket_login(browser, inspected_server):
    User.objects.create_user("hopper", password="cobol-1959-compiler")
    page = LessonPage(browser, f"{inspected_server.http_url}/lessons/07/")
    page.choose_route("ws/auth/login/")
    page.connect()
    page.send('{"action": "login", "username": "hopper", "password": "cobol-1959-compiler"}', button="send-json")
    [reply] = page.wait_for_received("handoff")
    browser.find_element(By.ID, "disconnect").click()
    labels = panel_labels(page)
    shown = []
    for step in browser.find_elements(*STEPS):
        step.click()
        shown.append(browser.find_element(By.ID, "inspector-detail").text)
    assert in_order(["scope", *ECHO, "StopConsumer"], labels), labels
    cookies = [cookie["value"] for cookie in browser.get_cookies()]
    for secret in ["cobol-1959-compiler", reply.split('"handoff": "')[1].split('"')[0], *cookies]:
        assert not any(secret in text for text in shown)
    assert any("password" in text and "[redacted]" in text for text in shown)
