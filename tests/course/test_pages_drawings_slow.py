"""Every drawing and code block of every lesson and of NOTES.md, measured in a real Chromium.

On a 1280x800 laptop no block needs a sideways scroll: code wraps its long lines (course/render.py), and a
drawing or a listing, whose lines never wrap, is drawn narrow enough for its column. On a phone (390 px) a
drawing still keeps every line whole, and a block wider than the screen scrolls inside its own box instead
of widening the page. NOTES.md is not a page of the course: it is measured in a lesson page's text column
without a client (the wider one), drawn by the same renderer.
"""

import pytest

from course.catalogue import LESSONS, REPO_DIR
from course.render import page_html
from tests.helpers.pages import viewport

pytestmark = pytest.mark.browser

PAGES = [lesson.number for lesson in LESSONS] + ["NOTES"]
# A lesson page whose text takes the width a client would (NOTES.md is drawn there).
WIDE = next(lesson for lesson in LESSONS if not lesson.routes)

# Each block of the text: its first line, whether it is a drawing, how many lines it has and on how many rows
# the browser drew them (a drawing's lines are inline boxes: a wrapped one starts a row of its own, more than
# half a line below; an empty line draws no box), its content's width and its box's, and whether it scrolls
# inside a box of its own that stays inside the window.
BLOCKS = """
return [...document.querySelectorAll("#lesson-text pre")].map((pre) => {
  const code = pre.querySelector("code"), drawing = code.classList.contains("drawing");
  const lines = code.textContent.replace(/\\n$/, "").split("\\n");
  const half = parseFloat(getComputedStyle(pre).lineHeight) / 2;
  const tops = [...code.getClientRects()].filter((r) => r.width > 0).map((r) => r.top).sort((a, b) => a - b);
  let rows = lines.filter((line) => line === "").length, row = -Infinity;
  for (const top of tops) if (top - row > half) { rows += 1; row = top; }
  const own = ["auto", "scroll"].includes(getComputedStyle(pre).overflowX) &&
    pre.getBoundingClientRect().right <= window.innerWidth;
  return {first: lines[0].slice(0, 50), drawing, lines: lines.length, rows: drawing ? rows : lines.length,
          width: pre.scrollWidth, box: pre.clientWidth, own};
});
"""


def blocks(browser, server, page: str, width: int, height: int) -> list[dict]:
    """The blocks of a lesson page, or of NOTES.md put in a lesson page's wide text column, at width x height."""
    with viewport(browser, width, height):
        if page == "NOTES":
            browser.get(f"{server.http_url}{WIDE.page_url}")
            notes = page_html((REPO_DIR / "NOTES.md").read_text(encoding="utf-8"))
            browser.execute_script('document.querySelector("#lesson-text").innerHTML = arguments[0];', notes)
        else:
            browser.get(f"{server.http_url}/lessons/{page}/")
        return browser.execute_script(BLOCKS)


@pytest.mark.parametrize("page", PAGES)
def test_at_1280x800_no_drawing_or_code_block_needs_a_sideways_scroll(browser, inspected_server, page):
    drawn = blocks(browser, inspected_server, page, 1280, 800)
    wide = [
        f"{block['first']!r}: {block['width']} px in {block['box']}"
        for block in drawn
        if block["width"] > block["box"] + 1
    ]
    assert drawn and wide == [], f"{page}: blocks wider than their column (draw them narrower)"


@pytest.mark.parametrize("page", PAGES)
def test_at_1280x800_no_line_of_a_drawing_wraps(browser, inspected_server, page):
    drawn = blocks(browser, inspected_server, page, 1280, 800)
    wrapped = [block["first"] for block in drawn if block["drawing"] and block["rows"] != block["lines"]]
    assert wrapped == []


@pytest.mark.parametrize("page", PAGES)
def test_on_a_phone_a_drawing_keeps_its_lines_whole_and_scrolls_in_its_own_box(browser, inspected_server, page):
    drawn = blocks(browser, inspected_server, page, 390, 844)
    wrapped = [block["first"] for block in drawn if block["drawing"] and block["rows"] != block["lines"]]
    spilling = [block["first"] for block in drawn if block["width"] > block["box"] + 1 and not block["own"]]
    assert (wrapped, spilling) == ([], [])
