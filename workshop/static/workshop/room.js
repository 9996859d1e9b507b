// The instructor's live page (GET /workshop/): one socket to ws/workshop/room/ draws the room.
// {"room": ...} (on connect and every 5 s) is the whole room, as room.json; {"student": ...} is one
// student who just changed; {"sent": id} and {"error": ...} answer the message form. Every piece of
// text a student chose (a name, a check's name, a doctor's problem) goes in with textContent, never
// as HTML. A lost socket comes back after a random wait that doubles up to 10 s (full jitter, lesson 14).
(function () {
  "use strict";
  const root = document.getElementById("workshop-room");
  if (!root) return;
  const rows = document.getElementById("student-rows");
  const summary = document.getElementById("room-summary");
  const counts = document.getElementById("counts");
  const connection = document.getElementById("connection");
  const form = document.getElementById("message-form");
  const text = document.getElementById("message-text");
  const length = document.getElementById("message-length");
  const messageStatus = document.getElementById("message-status");
  const students = new Map(); // name -> the student's latest entry
  const drawn = new Map(); // name -> {row, key}: a row is redrawn only when what it shows changed
  let workshop = null;
  let socket = null;
  let attempt = 0;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function ago(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 10) return "just now";
    if (seconds < 60) return Math.round(seconds) + " s ago";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min ago";
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function byName(a, b) {
    return a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0;
  }

  function studentCell(student) {
    const dot = el("span", { class: "dot " + (student.online ? "online" : "away"), "aria-hidden": "true" });
    const seen = el("span", { class: "seen" }, student.online ? "online" : "away, seen " + ago(student.last_seen));
    return el("th", { scope: "row" }, dot, " ", el("span", { class: "name" }, student.name), el("br"), seen);
  }

  function handCell(student) {
    if (!student.hand) return el("td", { class: "muted" }, el("span", { "aria-label": "no hand up" }, "–"));
    return el("td", { class: "hand" }, el("span", { class: "badge" }, "hand up"));
  }

  function doctorCell(doctor) {
    if (!doctor || typeof doctor !== "object") return el("td", { class: "muted" }, "not run yet");
    const problems = Array.isArray(doctor.problems) ? doctor.problems.map(String) : [];
    const versions = [doctor.python && "Python " + doctor.python, doctor.django && "Django " + doctor.django];
    const about = el("span", { class: "muted versions" }, ...versions.filter(Boolean).map((v) => el("span", {}, String(v))));
    if (doctor.ready === true && problems.length === 0) {
      return el("td", { class: "ready" }, el("span", { class: "verdict" }, "✓ ready"), about);
    }
    const count = problems.length === 1 ? "1 problem" : problems.length + " problems";
    const list = el("ul", {}, ...problems.map((problem) => el("li", {}, problem)));
    const details = el("details", {}, el("summary", {}, "✗ not ready: " + count), list);
    return el("td", { class: "not-ready" }, details, about);
  }

  function exercisesCell(exercises) {
    const ids = Object.keys(exercises || {});
    if (ids.length === 0) return el("td", { class: "muted" }, "no check run yet");
    const chips = ids.map((id) => {
      const result = exercises[id];
      const passing = result.status === "passing";
      const chip = el("li", { class: "exercise " + (passing ? "passing" : "failing") });
      chip.append(el("strong", {}, id), " ", passing ? "✓ passing" : "✗ failing");
      if (!passing && result.check) chip.append(": ", el("span", { class: "check" }, result.check));
      chip.append(" ", el("span", { class: "ago" }, ago(result.changed)));
      return chip;
    });
    return el("td", {}, el("ul", { class: "exercises" }, ...chips));
  }

  function sharedCell(student) {
    if (!student.shared || student.shared.length === 0) return el("td", { class: "muted" }, "–");
    const links = student.shared.map((id) => {
      const href = root.dataset.shared + encodeURIComponent(student.name) + "/" + encodeURIComponent(id) + "/";
      return el("li", {}, el("a", { href, target: "_blank", rel: "noopener", "aria-label": student.name + "'s " + id + " (opens a new tab)" }, id));
    });
    return el("td", {}, el("ul", { class: "shared" }, ...links));
  }

  function row(student) {
    const cells = [studentCell(student), handCell(student), doctorCell(student.doctor), exercisesCell(student.exercises), sharedCell(student)];
    return el("tr", { class: student.hand ? "hand-up" : "" }, ...cells);
  }

  function draw() {
    const sorted = [...students.values()].sort(byName);
    for (const name of drawn.keys()) if (!students.has(name)) drawn.delete(name);
    if (sorted.length === 0) {
      drawn.clear();
      rows.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No student has joined yet.")));
    }
    for (const student of sorted) {
      // Everything the row shows, "3 min ago" included: unchanged rows are left alone (and keep focus).
      const key = JSON.stringify(student) + ago(student.last_seen) + Object.values(student.exercises || {}).map((r) => ago(r.changed)).join();
      const old = drawn.get(student.name);
      if (old && old.key === key) continue;
      const fresh = row(student);
      if (old) old.row.replaceWith(fresh);
      drawn.set(student.name, { row: fresh, key });
    }
    const order = sorted.map((student) => drawn.get(student.name).row);
    if (sorted.length && order.some((node, i) => rows.children[i] !== node || rows.children.length !== order.length)) {
      rows.replaceChildren(...order);
    }
    const online = sorted.filter((s) => s.online).length;
    const hands = sorted.filter((s) => s.hand).length;
    counts.textContent = sorted.length + (sorted.length === 1 ? " student, " : " students, ") + online + " online, " + hands + (hands === 1 ? " hand up." : " hands up.");
    if (workshop) {
      summary.textContent = "Workshop " + (workshop.open ? "open" : "closed to new students") + " since " + clock(workshop.opened) + ".";
    } else {
      summary.textContent = "No workshop yet: open one with python manage.py workshop open.";
    }
  }

  function show(kind, words) {
    connection.className = "connection " + kind;
    connection.querySelector(".text").textContent = words;
  }

  function receive(frame) {
    if (frame.room) {
      workshop = frame.room.workshop;
      students.clear();
      for (const student of frame.room.students) students.set(student.name, student);
      draw();
    } else if (frame.student) {
      students.set(frame.student.name, frame.student);
      draw();
    } else if ("sent" in frame) {
      messageStatus.textContent = "Sent to every student at " + clock(new Date().toISOString()) + " (message " + frame.sent + ").";
      text.value = "";
      length.textContent = "0 of 500 characters";
    } else if (frame.error) {
      messageStatus.textContent = "Not sent: " + frame.error;
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.addEventListener("open", () => {
      attempt = 0;
      show("live", "live");
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (event.code === 4401 || event.code === 4403) {
        show("closed", event.code === 4401 ? "logged out: reload the page to log in" : "this page is for staff users");
        return;
      }
      const wait = Math.random() * Math.min(10, 0.5 * 2 ** attempt);
      attempt += 1;
      show("away", "connection lost: trying again in " + Math.max(1, Math.round(wait)) + " s");
      setTimeout(connect, wait * 1000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      messageStatus.textContent = "Not sent: the page is not connected right now; try again in a moment.";
      return;
    }
    socket.send(JSON.stringify({ message: text.value }));
    messageStatus.textContent = "Sending…";
  });
  text.addEventListener("input", () => {
    length.textContent = text.value.length + " of 500 characters";
  });
  connect();
})();
