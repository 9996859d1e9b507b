"""Lesson 04 in a real Chromium: two windows share a room, a third in another room hears nothing."""

import json

import pytest
from selenium.webdriver.common.by import By

from tests.helpers.clients import wait_until


@pytest.mark.browser
def test_two_windows_in_a_room_see_each_others_messages_and_another_room_sees_none(browser, course_server):
    windows = {}
    for name, room in [("alice", "lobby"), ("bob", "lobby"), ("carol", "kitchen")]:
        if windows:
            browser.switch_to.new_window("window")
        windows[name] = browser.current_window_handle
        browser.get(course_server.http_url + "/lessons/04/")
        path = browser.find_element(By.ID, "path")
        path.clear()
        path.send_keys(f"ws/chat/{room}/")
        browser.find_element(By.ID, "connect").click()
        wait_until(lambda: browser.find_element(By.ID, "status").text == "open")
    for name in ("alice", "bob"):
        browser.switch_to.window(windows[name])
        box = browser.find_element(By.ID, "message")
        box.clear()
        box.send_keys(json.dumps({"message": f"hi from {name}"}))
        browser.find_element(By.ID, "send-json").click()

    def received(window: str, count: int) -> list[str]:
        browser.switch_to.window(windows[window])
        wait_until(lambda: len(browser.find_elements(By.CSS_SELECTOR, "li.frame.in")) >= count)
        frames = browser.find_elements(By.CSS_SELECTOR, "li.frame.in .data")
        return sorted(json.loads(frame.text)["message"] for frame in frames)

    assert received("alice", 2) == ["hi from alice", "hi from bob"]
    assert received("bob", 2) == ["hi from alice", "hi from bob"]
    assert received("carol", 0) == []
