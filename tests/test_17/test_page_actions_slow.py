"""Lesson 17's page in a real Chromium: the instructor clears a status and removes a student, and sees who heard.

The room is served as `make workshop` serves it, with three students who joined from addresses of
their own and reported. From a student's tile the instructor clears one status and removes the
student (two clicks: the first only arms the button). A message sent from the page is listed with
how many students have printed it, and the count moves when one says so ({"seen": id}); the status
line never claims it reached every student.
"""

import pytest
from selenium.webdriver.common.by import By

from tests.helpers.workshop_server import log_in
from tests.test_17.test_glance_slow import join, send, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]
FAILING = {"report": {"exercise": "05.1", "status": "failing", "check": "it limits the flood"}}
PASSED = {"report": {"exercise": "01.1", "status": "passing"}}
TILE = "[...document.querySelectorAll('#tiles li.tile')].find((li) => li.dataset.name === arguments[0])"


def three(room) -> dict[str, str]:
    """kim, lee and max joined (from 127.0.0.80-82), each passing 01.1 and failing 05.1; once a module."""
    if not hasattr(room, "tokens"):
        room.tokens = {name: join(room, name, n) for n, name in enumerate(["kim", "lee", "max"], start=80)}
        for n, token in enumerate(room.tokens.values(), start=80):
            assert all("ok" in answer for answer in send(room, token, PASSED, FAILING, n=n))
    return room.tokens


def click(browser, css: str) -> None:
    browser.find_element(By.CSS_SELECTOR, css).click()


def test_the_instructor_clears_a_status_then_removes_the_student_from_their_tile(served_room, browser):
    three(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, "return document.querySelectorAll('#tiles li.tile').length === 3")
    click(browser, '#tiles li.tile[data-name="kim"] summary')
    click(browser, '#tiles li.tile[data-name="kim"] button.clear[data-exercise="05.1"]')
    wait_until(browser, f"return !{TILE}.querySelector('.card').textContent.includes('05.1')", "kim")
    click(browser, '#tiles li.tile[data-name="kim"] button.remove')
    assert browser.execute_script(f"return {TILE} !== undefined", "kim")  # one click only arms it
    click(browser, '#tiles li.tile[data-name="kim"] button.remove')
    wait_until(browser, f"return {TILE} === undefined", "kim")
    names = browser.execute_async_script(
        "fetch('/workshop/room.json').then((r) => r.json()).then((room) => arguments[0](room.students.map((s) => s.name)))"
    )
    assert names == ["lee", "max"]


def test_a_message_sent_from_the_page_is_counted_as_each_student_prints_it(served_room, browser):
    tokens = three(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, "return document.querySelectorAll('#tiles li.tile').length >= 2")
    students = browser.execute_script("return document.querySelectorAll('#tiles li.tile').length")
    browser.find_element(By.ID, "message-text").send_keys("open lesson 05")
    click(browser, "#message-form button[type=submit]")
    first = wait_until(browser, "return document.querySelector('#messages li')")
    status = browser.execute_script("return document.getElementById('message-status').textContent")
    assert status.startswith("Sent at ") and "every student" not in status
    assert first.text.endswith(f"open lesson 05 printed by 0 of {students} students")
    send(served_room, tokens["lee"], {"seen": int(first.get_attribute("data-id"))}, n=81)  # lee's terminal printed it
    wait_until(
        browser,
        f"return document.querySelector('#messages li .seen').textContent === 'printed by 1 of {students} students'",
    )
