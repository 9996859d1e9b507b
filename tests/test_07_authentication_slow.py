"""Lesson 07 in a real Chromium: logging in through the form, and the socket login's handoff on the lesson page."""

import json

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By

from harness.patience import CONDITION
from tests.helpers import ADA_PASSWORD as PASSWORD

# The course server reads users from the test database file: they must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logging_in_through_the_form_puts_the_username_on_the_lesson_page_socket(browser, course_server):
    from selenium.webdriver.support.ui import WebDriverWait  # imported here: it costs the fast tests 0.3 s

    User.objects.create_user("grace", password=PASSWORD)  # the server's real hasher: no MD5 here
    browser.get(course_server.http_url + "/accounts/login/")
    browser.find_element(By.ID, "id_username").send_keys("grace")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form#login button[type=submit]").click()
    WebDriverWait(browser, CONDITION).until(lambda b: b.current_url.endswith("/lessons/07/"))
    browser.find_element(By.ID, "connect").click()
    received = WebDriverWait(browser, CONDITION).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#log li.frame.in .data")
    )
    assert received[0].text == '{"username": "grace"}'


def test_the_lesson_panel_logs_the_browser_in_with_the_handoff_of_a_socket_login(browser, course_server):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    User.objects.create_user("hopper", password=PASSWORD)
    browser.get(course_server.http_url + "/lessons/07/")
    Select(browser.find_element(By.ID, "route")).select_by_value("ws/auth/login/")
    message = browser.find_element(By.ID, "message")
    message.clear()
    message.send_keys(json.dumps({"action": "login", "username": "hopper", "password": PASSWORD}))
    browser.find_element(By.ID, "connect").click()
    WebDriverWait(browser, CONDITION).until(lambda b: b.find_element(By.ID, "status").text == "open")
    browser.find_element(By.ID, "send-json").click()
    WebDriverWait(browser, CONDITION).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#log li.frame.in .data"))
    # The panel sits under the sticky client column: at the page's foot, as a student scrolls to it.
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    browser.find_element(By.CSS_SELECTOR, "form#handoff button").click()
    result = WebDriverWait(browser, CONDITION).until(lambda b: b.find_element(By.ID, "handoff-result").text)
    browser.get(course_server.http_url + "/lessons/07/")
    assert result == "This browser is now logged in as hopper: reload the page."
    assert browser.find_element(By.ID, "username").text == "hopper"
