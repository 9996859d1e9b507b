"""The lesson pages' live client, driven in Chromium the way a student uses it.

Imported only by browser tests (through the `lesson_page` fixture): Selenium's
support modules cost every fast run 0.3 s otherwise.
"""

from contextlib import contextmanager

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness.patience import CONDITION

RECEIVED = (By.CSS_SELECTOR, "#log li.frame.in .data")


@contextmanager
def viewport(browser, width: int, height: int):
    """The shared Chromium's page area at exactly width x height inside this block.

    Chromium's own emulation, not a window resize: a resize lands a moment after
    the call, and the window's frame is no part of the page. `mobile: False`
    keeps a too-wide page too wide instead of zooming it out to fit.
    """
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


class LessonPage:
    """One open /lessons/NN/ page: choose a route, connect, send, read the frame log."""

    def __init__(self, browser, url: str, timeout: float = CONDITION):
        self.browser = browser
        self.wait = WebDriverWait(browser, timeout)
        browser.get(url)

    def choose_route(self, path: str) -> None:
        Select(self.browser.find_element(By.ID, "route")).select_by_value(path)

    def connect(self) -> None:
        """Click Connect and wait until the status says the socket is open."""
        self.browser.find_element(By.ID, "connect").click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "status"), "open"))

    def send(self, text: str, button: str = "send-text") -> None:
        """Type `text` into the message box and click a send button (send-text, send-json, send-bytes)."""
        box = self.browser.find_element(By.ID, "message")
        box.clear()
        box.send_keys(text)
        self.browser.find_element(By.ID, button).click()

    def received(self) -> list[str]:
        """The data of every received frame in the log, oldest first."""
        return [element.text for element in self.browser.find_elements(*RECEIVED)]

    def wait_for_received(self, text: str) -> list[str]:
        """Wait until a received frame contains `text`; return all received frames."""
        self.wait.until(lambda _: any(text in data for data in self.received()))
        return self.received()
