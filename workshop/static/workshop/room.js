// The instructor's live page (GET /workshop/): one socket to ws/workshop/room/ draws the room.
// {"room": ...} (on connect, every 5 s, and when the workshop opens or closes) is the whole room, as
// room.json; {"student": ...} is one student who joined or changed; {"left": name} one who ran
// `workshop leave`; {"sent": id} and {"error": ...} answer the message form.
// Nothing a student sends is trusted: clean() keeps each field only if it has its type (a name that is
// not a string drops the student; a doctor's "python" that is not a string is read as missing), and all
// text goes in with textContent, never as HTML. A disclosure the instructor opened stays open when the
// page redraws. A lost socket comes back after a random wait that doubles up to 10 s (lesson 14).
(function () {
  "use strict";
  const root = document.getElementById("workshop-room");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const [tiles, helpList, paceRows, summary, counts, news, connection] =
    ["tiles", "help-list", "pace-rows", "room-summary", "counts", "room-news", "connection"].map($);
  const [form, text, length, messageStatus] = ["message-form", "message-text", "message-length", "message-status"].map($);
  const HELP_SHOWN = 12; // lines of "Needs help": the rest are counted, and shown in their tiles
  const EXERCISE = /^[0-9]{2}\.[0-9]{1,2}$/;
  const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true }); // Émile before Eve
  const students = new Map(); // name -> the student's latest entry, cleaned
  const drawn = new Map(); // name -> {tile, key}: a tile is redrawn only when what it shows changed
  const opened = new Set(); // keys of the disclosures the instructor opened: kept across redraws
  let workshop = null;
  let helpKey = "";
  let paceKey = "";
  let socket = null;
  let attempt = 0;

  // --- what a frame may hold ------------------------------------------------------------------
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const str = (value) => (typeof value === "string" ? value : "");
  const time = (value) => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : null);
  const order = (id) => id.split(".").map(Number);
  const byExercise = (a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1];

  function clean(raw) {
    if (!isObject(raw) || typeof raw.name !== "string" || raw.name === "") return null;
    const exercises = [];
    for (const [id, result] of Object.entries(isObject(raw.exercises) ? raw.exercises : {})) {
      if (!EXERCISE.test(id) || !isObject(result) || !["passing", "failing"].includes(result.status)) continue;
      exercises.push({ id, status: result.status, check: str(result.check), says: str(result.says), changed: time(result.changed) });
    }
    exercises.sort((a, b) => byExercise(a.id, b.id));
    const d = raw.doctor;
    const doctor = isObject(d) && typeof d.ready === "boolean"
      ? { ready: d.ready, problems: Array.isArray(d.problems) ? d.problems.filter((p) => typeof p === "string") : [], python: str(d.python), django: str(d.django) }
      : null;
    const shared = Array.isArray(raw.shared) ? raw.shared.filter((id) => typeof id === "string" && EXERCISE.test(id)) : [];
    return { name: raw.name, online: raw.online === true, lastSeen: time(raw.last_seen), hand: raw.hand === true, handSince: time(raw.hand_since), exercises, doctor, shared };
  }

  function cleanWorkshop(raw) {
    return isObject(raw) ? { open: raw.open === true, opened: time(raw.opened), closed: time(raw.closed) } : null;
  }

  // --- drawing ----------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child); // a string becomes a text node: never HTML
    return node;
  }

  function since(iso) {
    if (!iso) return "";
    const minutes = Math.max(0, (Date.now() - Date.parse(iso)) / 60000);
    if (minutes < 1) return "< 1 min";
    if (minutes < 60) return Math.floor(minutes) + " min";
    return Math.floor(minutes / 60) + " h " + Math.floor(minutes % 60) + " min";
  }

  function clock(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "?";
  }

  // A <details> that remembers being open: the 5 s refresh redraws it as the instructor left it.
  function disclosure(key, label, ...content) {
    const summaryNode = el("summary", { "data-key": key }, label);
    const details = el("details", {}, summaryNode, ...content);
    details.open = opened.has(key);
    details.addEventListener("toggle", () => (details.open ? opened.add(key) : opened.delete(key)));
    return details;
  }

  // Where the student is now: their most recently changed result, if it is a failure.
  function stuckOn(student) {
    const latest = student.exercises.filter((e) => e.changed).sort((a, b) => Date.parse(b.changed) - Date.parse(a.changed))[0];
    return latest && latest.status === "failing" ? latest : null;
  }

  function failure(student, result) {
    const parts = [el("span", { class: "what" }, result.id + " ✗ " + (result.check || "failing")), " ", el("span", { class: "for" }, since(result.changed))];
    if (result.says) {
      parts.push(" ", disclosure("says " + student.name + " " + result.id, "What it says", el("p", { class: "says" }, result.says)));
    }
    return parts;
  }

  function helpLines(sorted) {
    const hands = sorted.filter((s) => s.hand).sort((a, b) => Date.parse(a.handSince || 0) - Date.parse(b.handSince || 0));
    const stuck = sorted.filter((s) => !s.hand && stuckOn(s)).sort((a, b) => Date.parse(stuckOn(a).changed) - Date.parse(stuckOn(b).changed));
    const unready = sorted.filter((s) => !s.hand && !stuckOn(s) && s.doctor && !s.doctor.ready);
    const lines = [];
    for (const s of hands) {
      const now = stuckOn(s);
      lines.push(el("li", { class: "hand" }, el("span", { class: "who" }, s.name), " ", el("span", { class: "badge" }, "hand up"), " ", el("span", { class: "for" }, since(s.handSince)), ...(now ? [el("br"), ...failure(s, now)] : [])));
    }
    for (const s of stuck) lines.push(el("li", { class: "stuck" }, el("span", { class: "who" }, s.name), " ", ...failure(s, stuckOn(s))));
    for (const s of unready) {
      const count = s.doctor.problems.length === 1 ? "1 problem" : s.doctor.problems.length + " problems";
      const list = el("ul", {}, ...s.doctor.problems.map((problem) => el("li", {}, problem)));
      lines.push(el("li", { class: "doctor" }, el("span", { class: "who" }, s.name), " doctor: not ready ", disclosure("doctor " + s.name, count, list)));
    }
    const key = JSON.stringify([hands, stuck, unready].map((group) => group.map((s) => [s, since(s.handSince), since((stuckOn(s) || {}).changed)])));
    return { lines, key };
  }

  function drawHelp(sorted) {
    const { lines, key } = helpLines(sorted);
    if (key === helpKey) return; // unchanged: keep the nodes, and the keyboard focus in them
    helpKey = key;
    const focused = document.activeElement && helpList.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const shown = lines.slice(0, HELP_SHOWN);
    if (lines.length > HELP_SHOWN) shown.push(el("li", { class: "more muted" }, "and " + (lines.length - HELP_SHOWN) + " more: see their tiles"));
    helpList.replaceChildren(...(shown.length ? shown : [el("li", { class: "muted" }, "No one: no hand up, no check failing.")]));
    const again = focused && [...helpList.querySelectorAll("summary")].find((node) => node.dataset.key === focused);
    if (again) again.focus();
  }

  function roomExercises(sorted) {
    return [...new Set(sorted.flatMap((s) => s.exercises.map((e) => e.id)))].sort(byExercise);
  }

  function drawPace(sorted, ids) {
    const rows = ids.map((id) => {
      const results = sorted.map((s) => s.exercises.find((e) => e.id === id)).filter(Boolean);
      const passed = results.filter((r) => r.status === "passing").length;
      const trying = results.length - passed;
      return [id, passed, trying, sorted.length - passed - trying];
    });
    const key = JSON.stringify(rows);
    if (key === paceKey) return;
    paceKey = key;
    if (rows.length === 0) {
      paceRows.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No check run yet.")));
      return;
    }
    paceRows.replaceChildren(...rows.map(([id, passed, trying, waiting]) => {
      const total = Math.max(1, passed + trying + waiting);
      const bar = el("div", { class: "bar", "aria-hidden": "true" },
        el("span", { class: "passed", style: "width:" + (100 * passed) / total + "%" }),
        el("span", { class: "trying", style: "width:" + (100 * trying) / total + "%" }));
      return el("tr", {}, el("th", { scope: "row" }, id), el("td", {}, String(passed)), el("td", {}, String(trying)), el("td", {}, String(waiting)), el("td", {}, bar));
    }));
  }

  function tile(student, ids) {
    const who = el("div", { class: "who" },
      el("span", { class: "dot " + (student.online ? "online" : "away"), title: student.online ? "online" : "away" }),
      el("span", { class: "visually-hidden" }, student.online ? "online:" : "away:"),
      el("span", { class: "name", title: student.name }, student.name));
    if (student.hand) who.append(el("span", { class: "mark badge" }, "hand"));
    if (student.doctor && !student.doctor.ready) who.append(el("span", { class: "mark doctor-mark" }, "doctor ✗"));
    for (const id of student.shared) {
      const href = root.dataset.shared + encodeURIComponent(student.name) + "/" + encodeURIComponent(id) + "/";
      who.append(el("a", { class: "shared", href, target: "_blank", rel: "noopener", "aria-label": student.name + "'s shared " + id + " (opens a new tab)" }, "shared " + id));
    }
    const cells = el("ol", { class: "cells", "aria-label": student.name + "'s exercises" });
    for (const id of ids) {
      const result = student.exercises.find((e) => e.id === id);
      if (!result) {
        cells.append(el("li", { class: "cell none", title: id + " not tried", "aria-hidden": "true" }, "◦"));
        continue;
      }
      const passing = result.status === "passing";
      const said = id + (passing ? " ✓ passing" : " ✗ failing" + (result.check ? ": " + result.check : ""));
      cells.append(el("li", { class: "cell " + result.status, title: said }, el("span", { "aria-hidden": "true" }, passing ? "✓" : "✗"), el("span", { class: "visually-hidden" }, said)));
    }
    const stuck = stuckOn(student);
    if (stuck) cells.append(el("li", { class: "since", title: "failing " + stuck.id + " for " + since(stuck.changed) }, since(stuck.changed)));
    if (!student.online) cells.append(el("li", { class: "since" }, "away"));
    return el("li", { class: "tile" + (student.hand ? " hand-up" : "") + (student.online ? "" : " away"), "data-name": student.name }, who, cells);
  }

  function draw() {
    const sorted = [...students.values()].sort((a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1));
    const ids = roomExercises(sorted);
    for (const name of drawn.keys()) if (!students.has(name)) drawn.delete(name);
    for (const student of sorted) {
      const key = JSON.stringify([student, ids, since((stuckOn(student) || {}).changed)]);
      const old = drawn.get(student.name);
      if (!old || old.key !== key) drawn.set(student.name, { tile: tile(student, ids), key });
    }
    const order = sorted.map((student) => drawn.get(student.name).tile);
    if (order.length === 0) tiles.replaceChildren(el("li", { class: "muted empty" }, "No student has joined yet."));
    else if (order.length !== tiles.children.length || order.some((node, i) => tiles.children[i] !== node)) tiles.replaceChildren(...order);
    drawHelp(sorted);
    drawPace(sorted, ids);
    const online = sorted.filter((s) => s.online).length;
    const hands = sorted.filter((s) => s.hand).length;
    counts.textContent = sorted.length + (sorted.length === 1 ? " student, " : " students, ") + online + " online, " + hands + (hands === 1 ? " hand up." : " hands up.");
    if (!workshop) summary.textContent = "No workshop yet: open one with python manage.py workshop open.";
    else if (workshop.open) summary.textContent = "Workshop open since " + clock(workshop.opened) + ".";
    else summary.textContent = "Workshop closed since " + clock(workshop.closed) + ": no one joins, and every student's token has ended.";
  }

  function tell(words) {
    news.textContent = words + " (" + clock(new Date().toISOString()) + ")";
  }

  // --- the socket -------------------------------------------------------------------------------
  function receive(frame) {
    if (!isObject(frame)) return;
    if ("room" in frame) {
      if (!isObject(frame.room) || !Array.isArray(frame.room.students)) return; // not a room: keep the one drawn
      const before = workshop;
      workshop = cleanWorkshop(frame.room.workshop);
      if (before && workshop && before.open && !workshop.open) tell("The workshop closed: every student's token has ended");
      students.clear();
      for (const raw of frame.room.students) {
        const student = clean(raw);
        if (student) students.set(student.name, student);
      }
      draw();
      root.dataset.rooms = String(Number(root.dataset.rooms || 0) + 1); // how many whole rooms were drawn
    } else if ("student" in frame) {
      const student = clean(frame.student);
      if (!student) return;
      if (!students.has(student.name)) tell(student.name + " joined");
      students.set(student.name, student);
      draw();
    } else if ("left" in frame) {
      if (typeof frame.left !== "string") return;
      students.delete(frame.left);
      tell(frame.left + " left");
      draw();
    } else if ("sent" in frame) {
      messageStatus.textContent = "Sent to every student at " + clock(new Date().toISOString()) + ".";
      text.value = "";
      length.textContent = "0 of 500 characters";
    } else if ("error" in frame) {
      messageStatus.textContent = "Not sent: " + (str(frame.error) || "the room refused it");
    }
  }

  function show(kind, words) {
    connection.className = "connection " + kind;
    connection.querySelector(".text").textContent = words;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.addEventListener("open", () => {
      attempt = 0;
      show("live", "live");
    });
    socket.addEventListener("message", (event) => {
      let frame = null;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing to draw
      }
      receive(frame);
    });
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
