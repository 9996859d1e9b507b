// The "server side" panel: what the server did with this page's own connections,
// drawn as a sequence diagram, one SVG row per event. course/inspector.py records
// the events; this page's id (random per page load) is the only key to them:
// every connection the live client opens carries ?inspect=<id>, and the
// inspector socket ws/inspector/<id>/ streams exactly those. Click a row for its dict.
(function () {
  "use strict";
  const panel = document.getElementById("inspector");
  if (!panel) return;
  const page = panel.dataset.page;
  const rows = document.getElementById("inspector-rows");
  const detail = document.getElementById("inspector-detail");
  const LANES = ["browser", "daphne", "middleware", "consumer", "layer"];
  const WIDTH = 500, HEIGHT = 24, SVG = "http://www.w3.org/2000/svg";
  const x = (lane) => 50 + 100 * Math.max(0, LANES.indexOf(lane));
  let lastConnection = null;

  // client.js asks this before it opens a socket, a stream or a request.
  window.lessonInspector = {
    tag: (url) => url + (url.includes("?") ? "&" : "?") + "inspect=" + page,
  };

  function svg(name, attributes, text) {
    const element = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
    if (text !== undefined) element.textContent = text;
    return element;
  }

  let heading = null;  // the current connection's header: it names the consumer once the router has picked one
  function header(event) {
    heading = document.createElement("div");
    heading.className = "connection";
    rows.appendChild(heading);
  }
  function name(event) {
    heading.textContent = "connection #" + event.connection +
      (event.consumer ? " · " + event.consumer : "") +
      (event.channel_name ? " · " + event.channel_name : "");
  }

  function draw(event) {
    if (event.connection !== lastConnection) { header(event); lastConnection = event.connection; }
    name(event);
    const step = document.createElement("div");
    step.className = "step from-" + event.from + " to-" + event.to;
    step.dataset.from = event.from;
    step.dataset.to = event.to;
    step.dataset.label = event.label;
    step.title = event.label + " (" + event.t + " ms)";
    const row = svg("svg", { viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img", "aria-label": event.label });
    LANES.forEach((lane) => row.appendChild(svg("line", { x1: x(lane), x2: x(lane), y1: 0, y2: HEIGHT, class: "lane" })));
    const from = x(event.from), to = x(event.to), y = HEIGHT - 6;
    const label = event.label.length > 44 ? event.label.slice(0, 43) + "…" : event.label;
    if (from === to) {
      // A note beside its lane, on whichever side has room.
      const left = from > WIDTH / 2;
      row.appendChild(svg("text", { x: left ? from - 6 : from + 6, y: y - 2, class: "note", "text-anchor": left ? "end" : "start" }, label));
    } else {
      row.appendChild(svg("line", { x1: from, x2: to, y1: y, y2: y, class: "arrow", "marker-end": "url(#inspector-head)" }));
      // Centred over the arrow, but kept inside the row (about 6.6 units a character).
      const half = label.length * 3.3;
      const middle = Math.min(Math.max((from + to) / 2, half + 2), WIDTH - half - 2);
      row.appendChild(svg("text", { x: middle, y: y - 4, "text-anchor": "middle" }, label));
    }
    step.appendChild(row);
    step.addEventListener("click", () => {
      rows.querySelectorAll(".step.chosen").forEach((s) => s.classList.remove("chosen"));
      step.classList.add("chosen");
      detail.hidden = false;
      detail.textContent = JSON.stringify(event, null, 2);
    });
    follow(() => rows.appendChild(step));
  }

  // Stick to the bottom, the way a terminal does: the newest row stays in view, in the
  // rows' own box and in the live client's column where that scrolls (a laptop), unless
  // the student has scrolled away from it: up to older rows, or the column up or down.
  const column = document.getElementById("client");
  const empty = document.getElementById("inspector-empty");
  let following = true, ours = null;  // ours: where this code last scrolled the column to
  function shown() {
    const box = column.getBoundingClientRect();
    return { top: Math.max(box.top, 0), bottom: Math.min(box.bottom, window.innerHeight) };
  }
  // Where the newest row ends, as far as the rows' box lets it show (the hint before the first row).
  function newestBottom() {
    const last = rows.lastElementChild;
    if (!last) return empty.getBoundingClientRect().bottom;
    return Math.min(last.getBoundingClientRect().bottom, rows.getBoundingClientRect().bottom);
  }
  // Scroll the column no further than keeps the message box and its send buttons on screen;
  // past that, the rows' box gives up height (down to about four rows) so its newest row shows.
  const message = document.getElementById("message");
  function keepInView() {
    // On a phone the column does not scroll (the page does): leave the page where the student has it.
    if (!following || column.scrollHeight <= column.clientHeight + 1) return;
    // Read before anything moves: a student who scrolled the rows up to older ones keeps them
    // (the frame log grows with each echo, before the server's rows for it arrive, and calls this).
    const rowsAtBottom = rows.scrollTop + rows.clientHeight >= rows.scrollHeight - 4;
    let below = newestBottom() - shown().bottom + 8;
    if (below <= 8) return;
    const room = Math.max(0, message.getBoundingClientRect().top - 8 - shown().top);
    column.scrollTop += Math.min(below, room);
    below = newestBottom() - shown().bottom + 8;
    if (below > 8 && rows.lastElementChild && rowsAtBottom) {
      rows.style.maxHeight = Math.max(rows.clientHeight - below, 96) + "px";
      rows.scrollTop = rows.scrollHeight;
      below = newestBottom() - shown().bottom + 8;
      if (below > 8) column.scrollTop += below;
    }
    ours = column.scrollTop;
  }
  window.addEventListener("resize", () => { rows.style.maxHeight = ""; });
  column.addEventListener("scroll", () => {
    if (column.scrollTop === ours) return;  // the scroll above, not the student's
    const area = shown(), bottom = newestBottom();
    following = bottom > area.top && bottom <= area.bottom + 1;
  });
  // The frame log above the panel grows with each frame and pushes the rows down.
  new ResizeObserver(keepInView).observe(document.getElementById("log"));
  function follow(add) {
    const atBottom = rows.scrollTop + rows.clientHeight >= rows.scrollHeight - 4;
    add();
    if (!atBottom) return;
    rows.scrollTop = rows.scrollHeight;
    keepInView();
  }

  function note(text) {
    const div = document.createElement("div");
    div.className = "connection dropped";
    div.textContent = text;
    follow(() => rows.appendChild(div));
  }

  function listen() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/inspector/" + page + "/");
    socket.onmessage = (e) => {
      const batch = JSON.parse(e.data);
      if (batch.dropped) note(batch.dropped + " events dropped: the server keeps up to the newest, the page only so many");
      batch.events.forEach(draw);
    };
    socket.onopen = () => {
      // A reopened socket replays what the server kept: draw it afresh.
      rows.innerHTML = "";
      lastConnection = null;
      panel.dataset.state = "listening";
    };
    socket.onclose = () => { panel.dataset.state = "closed"; setTimeout(listen, 2000); };
  }

  document.getElementById("inspector-clear").addEventListener("click", () => {
    rows.innerHTML = "";
    detail.hidden = true;
    lastConnection = null;
    heading = null;
  });
  listen();
})();
