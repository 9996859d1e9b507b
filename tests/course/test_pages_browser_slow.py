"""The course pages in a real Chromium at a phone's and a laptop's size.

A phone (390 px wide): no page is wider than its window; tables, code and
diagrams scroll inside their own box. At both sizes a text diagram (lesson 17's
"The picture") keeps every line whole (fitting a laptop's column; on a phone it
scrolls), and no code block is cut off without the cue. A laptop (1280x800): the inspector's panel starts on the first screen and,
before any connection, says what it will draw and how to fill it.
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from course.catalogue import LESSONS
from harness.patience import CONDITION
from tests.helpers.pages import viewport

pytestmark = pytest.mark.browser

PAGES = ["/", *(lesson.page_url for lesson in LESSONS)]
WITH_PANEL = [lesson.number for lesson in LESSONS if lesson.routes]

# The page's width, the window's, and the element reaching furthest right that
# no box scrolling sideways holds (the one that widens the page).
WIDEST = """
const width = window.innerWidth;
let widest = null;
for (const element of document.body.querySelectorAll("*")) {
  const right = element.getBoundingClientRect().right;
  if (right <= width || (widest && right <= widest.right)) continue;
  let box = element.parentElement, held = false;
  for (; box && box !== document.body; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== "visible" && box.getBoundingClientRect().right <= width) held = true;
  }
  if (held) continue;
  const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    (typeof element.className === "string" && element.className ? "." + element.className.trim().replace(/ +/g, ".") : "");
  widest = { right: Math.round(right), name: name + ' "' + element.textContent.trim().slice(0, 60) + '"' };
}
return [document.documentElement.scrollWidth, width, widest];
"""


# Lesson 17's "The picture": how many lines it has, and on how many rows the browser drew them
# (the distinct tops of the inline <code>'s boxes: a wrapped line adds a row).
PICTURE = """
const code = document.querySelector("#the-picture ~ .highlight code.drawing"), pre = code.closest("pre");
const rows = new Set([...code.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
return [code.textContent.replace(/\\n$/, "").split("\\n").length, rows.size, pre.scrollWidth > pre.clientWidth];
"""
# Every code block of the text whose lines reach past its box, unless it scrolls with the cue (pages.js).
CUT_CODE = """
return [...document.querySelectorAll("#lesson-text pre")]
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1 && !(pre.classList.contains("scrolls") && pre.tabIndex >= 0))
  .map((pre) => pre.textContent.trim().split("\\n")[0]);
"""
SIZES = [(1280, 800), (390, 844)]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["laptop", "phone"])
def test_no_line_of_lesson_17s_picture_wraps_and_no_code_block_is_cut(browser, inspected_server, width, height):
    with viewport(browser, width, height):
        browser.get(f"{inspected_server.http_url}/lessons/17/")
        lines, line_boxes, scrolls = browser.execute_script(PICTURE)
        cut = browser.execute_script(CUT_CODE)
    assert lines > 5
    assert line_boxes == lines
    assert scrolls is (width < 1000)  # it fits a laptop's column; on a phone it scrolls, whole
    assert cut == []


@pytest.mark.parametrize("path", PAGES)
def test_at_390_px_the_page_is_no_wider_than_the_window(browser, inspected_server, path):
    with viewport(browser, 390, 844):
        browser.get(inspected_server.http_url + path)
        page_width, window_width, widest = browser.execute_script(WIDEST)
    assert window_width == 390
    assert page_width <= window_width, f"{path} is {page_width} px wide at {window_width}: widest is {widest}"


@pytest.mark.parametrize("number", WITH_PANEL)
def test_at_1280x800_the_inspector_is_on_the_first_screen_and_says_how_to_fill_it(browser, inspected_server, number):
    with viewport(browser, 1280, 800):
        browser.get(f"{inspected_server.http_url}/lessons/{number}/")
        panel = browser.find_element(By.ID, "inspector")
        empty = browser.find_element(By.ID, "inspector-empty")
        top = browser.execute_script("return arguments[0].getBoundingClientRect().top", panel)
        assert browser.execute_script("return window.innerHeight") == 800
        assert 0 < top < 800
        assert empty.is_displayed()
        assert empty.text.startswith("Press Connect")
        assert "each ASGI event" in empty.text


def test_the_inspector_empty_state_gives_way_to_the_first_drawn_row(browser, inspected_server):
    browser.get(f"{inspected_server.http_url}/lessons/01/")
    empty = browser.find_element(By.ID, "inspector-empty")
    assert empty.is_displayed()
    browser.find_element(By.ID, "connect").click()
    WebDriverWait(browser, CONDITION).until(lambda _: browser.find_elements(By.CSS_SELECTOR, "#inspector-rows .step"))
    assert not empty.is_displayed()
