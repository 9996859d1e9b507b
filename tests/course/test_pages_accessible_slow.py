"""Every course page reads well at a phone's and a laptop's size, as axe-core and the eye judge it.

axe-core (the npm package pinned in package.json; `npm ci` puts it in
node_modules/) runs inside the real Chromium on the index and every lesson page
the catalogue lists, at 390x844 and 1280x800: no `serious` or `critical`
violation (contrast, names, keyboard access). And no box cuts its content off
without saying so: whatever is wider than its box is either a field or focusable,
named, and drawn with the shadow cue (course/static/course/pages.js).
Without node_modules/axe-core the test skips and says how to get it; under
CI=true it fails (tests.helpers.require), like a missing Chromium.

On a laptop the inspector keeps its newest row in view as rows arrive, and
leaves the rows alone once the student scrolls them (stick to the bottom).
"""

from contextlib import contextmanager

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from course.catalogue import LESSONS, REPO_DIR
from harness.patience import COMMAND, CONDITION
from tests.helpers import require
from tests.helpers.pages import viewport

pytestmark = pytest.mark.browser

AXE = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", *(lesson.page_url for lesson in LESSONS)]
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
# The first lesson with a WebSocket route: its live client is audited with frames in its
# log and rows in the inspector, as a student sees it after one message.
LIVE = next(lesson for lesson in LESSONS if lesson.routes and lesson.routes[0].kind == "ws")

# After two frames, as CUT_OFF: the page as drawn, the way a student meets it.
RUN_AXE = """
const done = arguments[0];
requestAnimationFrame(() => requestAnimationFrame(() => axe.run(document, {resultTypes: ["violations"]}).then(
  (result) => done(result.violations.map((v) => [v.id, v.impact, v.nodes.map((n) => n.target.join(" "))])),
  (error) => done([["axe-error", "critical", [String(error)]]]),
)));
"""

# Every box whose content is wider than it and that clips or scrolls it, unless it is a
# field (it scrolls to its caret) or keyboard-reachable, named and drawn with the cue.
CUT_OFF = """
const done = arguments[0];
requestAnimationFrame(() => requestAnimationFrame(() => {
  const cut = [];
  for (const box of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(box);
    if (!["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) continue;
    if (box.scrollWidth <= box.clientWidth + 1 || box.clientWidth <= 1 || box.matches("input, textarea, select")) continue;
    const reachable = box.tabIndex >= 0 && !!box.getAttribute("aria-label");
    const cue = box.classList.contains("scrolls") && style.backgroundImage.includes("gradient");
    if (reachable && cue) continue;
    const name = box.tagName.toLowerCase() + (box.id ? "#" + box.id : "") +
      (typeof box.className === "string" && box.className ? "." + box.className.trim().replace(/ +/g, ".") : "");
    cut.push(name + " (" + box.scrollWidth + " px in " + box.clientWidth + ', "' +
      box.textContent.trim().slice(0, 50) + '")' + (reachable ? "" : " not focusable and named") + (cue ? "" : " no cue"));
  }
  done(cut);
}));
"""


def axe_source() -> str:
    """axe-core's browser build, or a skip (a failure under CI) that says how to get it."""
    require(AXE.exists(), "axe-core not found in node_modules/; install it with `npm ci` (package.json pins it)")
    return AXE.read_text(encoding="utf-8")


@contextmanager
def audited(browser, width: int, height: int):
    """At width x height, axe-core given once to Chromium, which evaluates it in every page it opens."""
    source = axe_source()
    with viewport(browser, width, height):
        axe = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        try:
            yield
        finally:
            browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", axe)


def with_a_message_sent(browser) -> None:
    """Connect the live client, send one frame, and wait for its echo and the inspector's rows."""
    browser.execute_script("document.getElementById('connect').click()")
    wait = WebDriverWait(browser, CONDITION)
    wait.until(lambda _: browser.execute_script("return document.getElementById('status').textContent") == "open")
    browser.execute_script("document.getElementById('send-text').click()")
    wait.until(lambda _: browser.execute_script("return document.querySelector('#log .frame.in')"))
    wait.until(lambda _: browser.execute_script("return document.querySelector('#inspector-rows .step')"))


@pytest.mark.parametrize("size", SIZES)
def test_every_page_passes_axe_core_and_cuts_off_no_box_without_a_cue(browser, inspected_server, size):
    # A liveness deadline for one audit of one page (about a second alone): 60 s ran out at load 60 on 2 cores.
    browser.set_script_timeout(COMMAND)
    violations, cut = [], []
    with audited(browser, *SIZES[size]):
        for path in PAGES:
            browser.get(inspected_server.http_url + path)
            if path == LIVE.page_url:
                with_a_message_sent(browser)
            for rule, impact, targets in browser.execute_async_script(RUN_AXE):
                if impact in {"serious", "critical"}:
                    violations.append(f"{path} at {size}: {rule} ({impact}) on {', '.join(targets[:5])}")
            cut += [f"{path} at {size}: {box}" for box in browser.execute_async_script(CUT_OFF)]
    assert violations == [], "axe-core's serious or critical violations:\n" + "\n".join(violations)
    assert cut == [], "boxes that cut their content off without a cue:\n" + "\n".join(cut)


# The newest row's box against the window and the rows' own box, and whether the message box shows.
NEWEST_ROW = """
const rows = document.getElementById("inspector-rows"), box = rows.getBoundingClientRect();
const newest = rows.lastElementChild.getBoundingClientRect();
const message = document.getElementById("message").getBoundingClientRect();
return {newest: [newest.top, newest.bottom], rows: [box.top, box.bottom], scrollTop: rows.scrollTop,
        window: innerHeight, message: [message.top, message.bottom], count: rows.children.length,
        overflows: rows.scrollHeight > rows.clientHeight + 4};
"""


def send_json(browser, count: int) -> None:
    """Click Send JSON `count` times as a student does (no scrolling to the button), each echo awaited."""
    for _ in range(count):
        received = len(browser.find_elements("css selector", "#log .frame.in"))
        browser.execute_script("document.getElementById('send-json').click()")
        WebDriverWait(browser, CONDITION).until(
            lambda _, received=received: len(browser.find_elements("css selector", "#log .frame.in")) > received
        )


def in_view(seen: dict) -> bool:
    """The newest row shows whole, inside the rows' box and the window, and so does the message box."""
    top, bottom = seen["newest"]
    return seen["rows"][0] - 1 <= top and bottom <= min(seen["rows"][1], seen["window"]) + 1 and seen["message"][0] >= 0


def overflowing_and_in_view(seen: dict) -> bool:
    return seen["overflows"] and in_view(seen)


def test_at_1280x800_the_inspector_keeps_its_newest_row_in_view(browser, inspected_server):
    with viewport(browser, 1280, 800):
        browser.get(f"{inspected_server.http_url}/lessons/04/")
        with_a_message_sent(browser)
        send_json(browser, 4)
        # The server's rows follow each echo by a few milliseconds: wait for them all, then for the view
        # to settle on the newest (the rows of the first echoes are in view before the rest arrive).
        WebDriverWait(browser, CONDITION).until(lambda _: browser.execute_script(NEWEST_ROW)["count"] > 20)
        WebDriverWait(browser, CONDITION).until(lambda _: in_view(browser.execute_script(NEWEST_ROW)))
        seen = browser.execute_script(NEWEST_ROW)
    assert seen["count"] > 20
    assert in_view(seen), seen


def test_the_inspector_leaves_its_rows_where_the_student_scrolled_them(browser, inspected_server):
    with viewport(browser, 1280, 800):
        browser.get(f"{inspected_server.http_url}/lessons/04/")
        with_a_message_sent(browser)
        send_json(browser, 3)
        # Only rows that overflow their box can be scrolled: wait until they do and have settled.
        WebDriverWait(browser, CONDITION).until(lambda _: overflowing_and_in_view(browser.execute_script(NEWEST_ROW)))
        browser.execute_script("document.getElementById('inspector-rows').scrollTop = 0")
        before = browser.execute_script(NEWEST_ROW)["count"]
        send_json(browser, 1)
        WebDriverWait(browser, CONDITION).until(lambda _: browser.execute_script(NEWEST_ROW)["count"] > before)
        seen = browser.execute_script(NEWEST_ROW)
    assert seen["scrollTop"] == 0
    assert not in_view(seen)
