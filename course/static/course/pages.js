// Every course page: a box that scrolls sideways (a drawing in box characters, a
// table on a narrow screen, a sequence diagram or the inspector's lanes on a
// phone, the Files strip) says so. While, and only while, its content is wider
// than the box, it gets the class "scrolls" (style.css draws a shadow at each side
// with more to see), a place in the tab order so the arrow keys can scroll it,
// and a name that a screen reader announces. tests/course/test_pages_accessible_slow.py
// checks every page at a phone's and a laptop's size.
(function () {
  "use strict";
  const BOXES = "#lesson-text pre, #lesson-text table, .sequence, #lesson-files, #inspector .diagram, #source table";

  // What the box holds, in a few words: its own name where it has one, else its first line.
  function name(box, n) {
    if (box.matches("table")) {
      const head = [...box.querySelectorAll("th")].map((th) => th.textContent.trim()).filter(Boolean);
      return "Table " + n + (head.length ? " (" + head.join(", ") + ")" : "") + ", scrolls sideways";
    }
    if (box.matches("pre")) {
      const first = box.textContent.trim().split("\n")[0].trim().slice(0, 60);
      return "Code " + n + " (" + first + "), scrolls sideways";
    }
    if (box.matches(".sequence")) return "Sequence diagram " + n + ", scrolls sideways";
    if (box.matches(".diagram")) return "The server side's five lanes, scrolls sideways";
    return "This lesson's files, scroll sideways";
  }

  function mark(box, n) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === box.classList.contains("scrolls")) return;
    box.classList.toggle("scrolls", scrolls);
    if (scrolls) {
      box.tabIndex = 0;
      // A <pre> or <div> may carry a name only with a role; a table, figure or nav has its own.
      if (box.matches("pre, div")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", name(box, n));
        box.dataset.named = "1";
      }
    } else {
      box.removeAttribute("tabindex");
      if (box.matches("pre, div")) box.removeAttribute("role");
      if (box.dataset.named) box.removeAttribute("aria-label");
    }
  }

  function watch() {
    const boxes = [...document.querySelectorAll(BOXES)];
    // Marked now, not only on the observer's first call: that waits for the first frame,
    // which a busy machine draws after the load event, and a page is used from there.
    boxes.forEach((box, i) => mark(box, i + 1));
    const observer = new ResizeObserver((entries) => entries.forEach((entry) => mark(entry.target, boxes.indexOf(entry.target) + 1)));
    boxes.forEach((box) => observer.observe(box));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
