// The instructor's live page (GET /workshop/): one socket to ws/workshop/room/ draws the room.
// The room comes in pieces, never as one frame (workshop/pieces.py): {"view": ...} starts a view (the
// workshop, the newest messages, what "active" means), {"piece": {"students": [...], "last": ...}} frames
// follow, and the view is drawn once the last has come. Then {"student": ...} is one student who changed (a
// "part" adds exercises to the entry just sent), {"left": name} one who is gone, {"message": ...} one the
// room was sent; {"sent"}, {"removed"}, {"cleared"} and {"error"} answer this page.
// Nothing a student sends is trusted: clean() keeps each field only if it has its type, and all text goes in
// with textContent, never as HTML. A disclosure the instructor opened stays open when the page redraws.
// Times are UTC on a 24-hour clock, as the lesson says. A lost socket comes back after a random wait that
// doubles up to 10 s (lesson 14).
(function () {
  "use strict";
  const root = document.getElementById("workshop-room");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const [tiles, helpList, paceNow, paceRows, summary, counts, news, connection] =
    ["tiles", "help-list", "pace-now", "pace-rows", "room-summary", "counts", "room-news", "connection"].map($);
  const [form, text, length, messageStatus, messageList] = ["message-form", "message-text", "message-length", "message-status", "messages"].map($);
  const HANDS_SHOWN = 5; // lines of hands up; the rest are counted (their tiles are yellow)
  const GROUPS_SHOWN = 6; // failing checks shown; the rest are counted
  const EXERCISE = /^[0-9]{2}\.[0-9]{1,2}$/;
  const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true }); // Émile before Eve
  let students = new Map(); // name -> the student's latest entry, cleaned
  let pending = null; // the view being put together from its pieces, until its last piece
  const drawn = new Map(); // name -> {tile, key}: a tile is redrawn only when what it shows changed
  const opened = new Set(); // keys of the disclosures the instructor opened: kept across redraws
  const messages = new Map(); // id -> {id, text, sent}: the newest the room was sent
  let workshop = null;
  let activeMinutes = 5; // the server's word for "active" comes with each view
  let helpKey = "";
  let socket = null;
  let attempt = 0;
  let version = 0; // counts every change of a student: a tile is redrawn when its student's changed

  // --- what a frame may hold ------------------------------------------------------------------
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const str = (value) => (typeof value === "string" ? value : "");
  const time = (value) => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : null);
  const count = (value) => (Number.isSafeInteger(value) && value >= 0 ? value : 0);
  const order = (id) => id.split(".").map(Number);
  const byExercise = (a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1];

  function cleanExercises(raw) {
    const exercises = [];
    for (const [id, result] of Object.entries(isObject(raw) ? raw : {})) {
      if (!EXERCISE.test(id) || !isObject(result) || !["passing", "failing"].includes(result.status)) continue;
      exercises.push({ id, status: result.status, check: str(result.check), says: str(result.says), changed: time(result.changed) });
    }
    return exercises.sort((a, b) => byExercise(a.id, b.id));
  }

  function clean(raw) {
    if (!isObject(raw) || typeof raw.name !== "string" || raw.name === "") return null;
    const d = raw.doctor;
    const doctor = isObject(d) && typeof d.ready === "boolean"
      ? { ready: d.ready, problems: Array.isArray(d.problems) ? d.problems.filter((p) => typeof p === "string") : [], python: str(d.python), django: str(d.django) }
      : null;
    const shared = Array.isArray(raw.shared) ? raw.shared.filter((id) => typeof id === "string" && EXERCISE.test(id)) : [];
    return {
      name: raw.name, online: raw.online === true, lastSeen: time(raw.last_seen), lastReport: time(raw.last_report),
      messageSeen: count(raw.message_seen), hand: raw.hand === true, handSince: time(raw.hand_since),
      exercises: cleanExercises(raw.exercises), doctor, shared, version: ++version,
    };
  }

  // One entry into a map of students: a whole entry replaces, a part adds its exercises to the entry of its name.
  function put(map, raw) {
    if (isObject(raw) && raw.part === true) {
      const student = typeof raw.name === "string" ? map.get(raw.name) : null;
      if (!student) return;
      const added = cleanExercises(raw.exercises);
      const ids = new Set(added.map((e) => e.id));
      student.exercises = student.exercises.filter((e) => !ids.has(e.id)).concat(added).sort((a, b) => byExercise(a.id, b.id));
      student.version = ++version;
      return;
    }
    const student = clean(raw);
    if (student) map.set(student.name, student);
  }

  function cleanMessage(raw) {
    return isObject(raw) && Number.isSafeInteger(raw.id) && typeof raw.text === "string" ? { id: raw.id, text: raw.text, sent: time(raw.sent) } : null;
  }

  // --- words and times --------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child); // a string becomes a text node: never HTML
    return node;
  }

  // How long since `iso`, in words no one reads as a distance: "3 min", "1 h 5 min".
  function since(iso) {
    if (!iso) return "";
    const minutes = Math.max(0, (Date.now() - Date.parse(iso)) / 60000);
    if (minutes < 1) return "under a minute";
    if (minutes < 60) return Math.floor(minutes) + " min";
    return Math.floor(minutes / 60) + " h " + Math.floor(minutes % 60) + " min";
  }

  function ago(iso) {
    const words = since(iso);
    return words === "under a minute" ? "just now" : words + " ago";
  }

  // UTC, on a 24-hour clock, saying so: whatever the browser's own zone and habits.
  function clock(iso) {
    return iso ? new Date(iso).toISOString().slice(11, 16) + " UTC" : "?";
  }

  // A <details> that remembers being open: a redraw shows it as the instructor left it.
  function disclosure(key, label, ...content) {
    const details = el("details", { "data-key": key }, el("summary", {}, ...[].concat(label)), ...content);
    details.open = opened.has(key);
    details.addEventListener("toggle", () => (details.open ? opened.add(key) : opened.delete(key)));
    return details;
  }

  // Where the student is now: their most recently changed result.
  function current(student) {
    return student.exercises.filter((e) => e.changed).sort((a, b) => Date.parse(b.changed) - Date.parse(a.changed))[0] || null;
  }

  function stuckOn(student) {
    const now = current(student);
    return now && now.status === "failing" ? now : null;
  }

  function said(result) {
    return result.id + (result.status === "passing" ? " ✓ passing" : " ✗ failing" + (result.check ? ": " + result.check : ""));
  }

  function cell(result) {
    return el("span", { class: "cell " + result.status, title: said(result) },
      el("span", { "aria-hidden": "true" }, result.id + (result.status === "passing" ? " ✓" : " ✗")),
      el("span", { class: "visually-hidden" }, said(result)));
  }

  // --- needs help: hands first, then each failing check with its students, then laptops not ready -----
  function helpGroups(sorted) {
    const groups = new Map();
    for (const s of sorted) {
      const stuck = stuckOn(s);
      if (!stuck) continue;
      const key = stuck.id + " " + stuck.check;
      if (!groups.has(key)) groups.set(key, { key, id: stuck.id, check: stuck.check, members: [], oldest: stuck.changed });
      const group = groups.get(key);
      group.members.push({ student: s, result: stuck });
      if (Date.parse(stuck.changed) < Date.parse(group.oldest)) group.oldest = stuck.changed;
    }
    return [...groups.values()].sort((a, b) => b.members.length - a.members.length || Date.parse(a.oldest) - Date.parse(b.oldest));
  }

  function groupLine(group) {
    const names = group.members.map((m) => m.student.name).join(", ");
    const lines = new Map();
    for (const m of group.members) if (m.result.says) lines.set(m.result.says, (lines.get(m.result.says) || 0) + 1);
    const says = [...lines.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([line, n]) => el("li", { class: "says" }, (n > 1 ? n + " × " : "") + line));
    const label = [el("span", { class: "count" }, String(group.members.length)), " fail ",
      el("span", { class: "what", title: group.id + " " + (group.check || "failing") }, group.id + " ", el("em", {}, group.check || "failing"))];
    return el("li", { class: "stuck" }, disclosure("group " + group.key, label,
      el("p", { class: "names" }, names), ...(says.length ? [el("p", { class: "muted" }, "What it says:"), el("ul", {}, ...says)] : [])));
  }

  function helpLines(sorted) {
    const hands = sorted.filter((s) => s.hand).sort((a, b) => Date.parse(a.handSince || 0) - Date.parse(b.handSince || 0));
    const groups = helpGroups(sorted);
    const unready = sorted.filter((s) => s.doctor && !s.doctor.ready);
    const lines = [];
    for (const s of hands.slice(0, HANDS_SHOWN)) {
      const stuck = stuckOn(s);
      lines.push(el("li", { class: "hand" }, el("span", { class: "who" }, s.name), " ", el("span", { class: "badge" }, "hand up"),
        " ", el("span", { class: "for" }, "for " + since(s.handSince)), ...(stuck ? [" ", cell(stuck)] : [])));
    }
    if (hands.length > HANDS_SHOWN) lines.push(el("li", { class: "more muted" }, "and " + (hands.length - HANDS_SHOWN) + " more hands up: their tiles are yellow"));
    for (const group of groups.slice(0, GROUPS_SHOWN)) lines.push(groupLine(group));
    if (groups.length > GROUPS_SHOWN) {
      const rest = groups.slice(GROUPS_SHOWN).reduce((sum, g) => sum + g.members.length, 0);
      lines.push(el("li", { class: "more muted" }, "and " + (groups.length - GROUPS_SHOWN) + " more failing checks (" + rest + " students): see their tiles"));
    }
    if (unready.length) {
      const list = el("ul", {}, ...unready.map((s) => el("li", {}, el("span", { class: "who" }, s.name), ": " + (s.doctor.problems.join("; ") || "not ready"))));
      lines.push(el("li", { class: "doctor" }, disclosure("doctor", unready.length + (unready.length === 1 ? " laptop" : " laptops") + " not ready (doctor)", list)));
    }
    const key = JSON.stringify([hands.map((s) => [s.name, since(s.handSince), (stuckOn(s) || {}).id]),
      groups.map((g) => [g.key, g.members.map((m) => [m.student.name, m.result.says])]), unready.map((s) => [s.name, s.doctor.problems])]);
    return { lines, key };
  }

  function drawHelp(sorted) {
    const { lines, key } = helpLines(sorted);
    if (key === helpKey) return; // unchanged: keep the nodes, and the keyboard focus in them
    helpKey = key;
    const focused = document.activeElement && helpList.contains(document.activeElement) ? document.activeElement.closest("details") : null;
    const focusedKey = focused ? focused.dataset.key : null;
    helpList.replaceChildren(...(lines.length ? lines : [el("li", { class: "muted" }, "No one: no hand up, no check failing.")]));
    const again = focusedKey && [...helpList.querySelectorAll("details")].find((node) => node.dataset.key === focusedKey);
    if (again) again.querySelector("summary").focus();
  }

  // --- the pace: the exercise most of the room is on, then every exercise on demand --------------------
  function paceOf(sorted, id) {
    const results = sorted.map((s) => s.exercises.find((e) => e.id === id)).filter(Boolean);
    const passed = results.filter((r) => r.status === "passing").length;
    return { id, passed, trying: results.length - passed, waiting: sorted.length - results.length };
  }

  function bar(pace) {
    const total = Math.max(1, pace.passed + pace.trying + pace.waiting);
    return el("div", { class: "bar", "aria-hidden": "true" },
      el("span", { class: "passed", style: "width:" + (100 * pace.passed) / total + "%" }),
      el("span", { class: "trying", style: "width:" + (100 * pace.trying) / total + "%" }));
  }

  function drawPace(sorted, ids) {
    const on = new Map();
    for (const s of sorted) {
      const now = current(s);
      if (now) on.set(now.id, (on.get(now.id) || 0) + 1);
    }
    const [mostOn, many] = [...on.entries()].sort((a, b) => b[1] - a[1] || byExercise(b[0], a[0]))[0] || [null, 0];
    if (!mostOn) {
      paceNow.replaceChildren("No check run yet.");
    } else {
      const pace = paceOf(sorted, mostOn);
      paceNow.replaceChildren(el("strong", {}, mostOn), " (" + many + " on it): ",
        el("span", { class: "passed-count" }, pace.passed + " ✓ passed"), ", ", el("span", { class: "trying-count" }, pace.trying + " ✗ trying"),
        ", " + pace.waiting + " ◦ not yet", bar(pace));
    }
    paceNow.className = "pace-now" + (mostOn ? "" : " muted");
    paceRows.replaceChildren(...(ids.length ? ids.map((id) => {
      const pace = paceOf(sorted, id);
      return el("tr", {}, el("th", { scope: "row" }, id), el("td", {}, String(pace.passed)), el("td", {}, String(pace.trying)), el("td", {}, String(pace.waiting)), el("td", {}, bar(pace)));
    }) : [el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No check run yet."))]));
    $("pace-all").querySelector("summary").textContent = "Every exercise (" + ids.length + ")";
  }

  // --- a tile a student: name, marks, where they are, when they last checked; the rest on demand ------
  function card(student) {
    const rows = student.exercises.map((result) => el("li", {}, cell(result), " ",
      el("button", { type: "button", class: "clear", "data-name": student.name, "data-exercise": result.id, "aria-label": "clear " + student.name + "'s " + result.id }, "clear")));
    const parts = [el("ol", { class: "exercises", "aria-label": student.name + "'s exercises" }, ...rows)];
    for (const id of student.shared) {
      const href = root.dataset.shared + encodeURIComponent(student.name) + "/" + encodeURIComponent(id) + "/";
      parts.push(el("a", { class: "shared", href, target: "_blank", rel: "noopener" }, "shared " + id + " (opens a new tab)"), " ");
    }
    if (student.doctor && !student.doctor.ready) parts.push(el("ul", { class: "problems" }, ...student.doctor.problems.map((p) => el("li", {}, p))));
    parts.push(el("p", { class: "muted" }, "Last heard from at " + clock(student.lastSeen) + "."),
      el("button", { type: "button", class: "remove", "data-name": student.name }, "Remove " + student.name + " from the room"));
    return el("div", { class: "card" }, ...parts);
  }

  function tile(student) {
    const who = el("div", { class: "who" },
      el("span", { class: "dot " + (student.online ? "online" : "away"), title: student.online ? "active in the last " + activeMinutes + " min" : "not active for " + activeMinutes + " min or more" }),
      el("span", { class: "visually-hidden" }, student.online ? "active:" : "not active:"),
      disclosure("card " + student.name, el("span", { class: "name", title: student.name }, student.name), card(student)));
    if (student.hand) who.append(el("span", { class: "mark badge" }, "hand"));
    if (student.doctor && !student.doctor.ready) who.append(el("span", { class: "mark doctor-mark" }, "doctor ✗"));
    const now = current(student);
    const passed = student.exercises.filter((e) => e.status === "passing").length;
    const where = el("div", { class: "now" }, ...(now ? [cell(now)] : []), el("span", { class: "passed-count", title: passed + " exercises passing" }, " " + passed + " ✓"));
    const last = el("div", { class: "last" }, student.lastReport ? "checked " + ago(student.lastReport) : "no check yet");
    return el("li", { class: "tile" + (student.hand ? " hand-up" : "") + (student.online ? "" : " away"), "data-name": student.name }, who, where, last);
  }

  function draw() {
    const sorted = [...students.values()].sort((a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1));
    const ids = [...new Set(sorted.flatMap((s) => s.exercises.map((e) => e.id)))].sort(byExercise);
    for (const name of drawn.keys()) if (!students.has(name)) drawn.delete(name);
    for (const student of sorted) {
      const key = [student.version, activeMinutes, student.lastReport ? ago(student.lastReport) : ""].join("|");
      const old = drawn.get(student.name);
      if (!old || old.key !== key) drawn.set(student.name, { tile: tile(student), key });
    }
    const order = sorted.map((student) => drawn.get(student.name).tile);
    if (order.length === 0) tiles.replaceChildren(el("li", { class: "muted empty" }, "No student has joined yet."));
    else if (order.length !== tiles.children.length || order.some((node, i) => tiles.children[i] !== node)) tiles.replaceChildren(...order);
    drawHelp(sorted);
    drawPace(sorted, ids);
    drawMessages();
    const active = sorted.filter((s) => s.online).length;
    const hands = sorted.filter((s) => s.hand).length;
    counts.textContent = sorted.length + (sorted.length === 1 ? " student, " : " students, ") + active + " active in the last " + activeMinutes + " min, " + hands + (hands === 1 ? " hand up." : " hands up.");
    if (!workshop) summary.textContent = "No workshop yet: open one with python manage.py workshop open.";
    else if (workshop.open) summary.textContent = "Workshop open since " + clock(workshop.opened) + ".";
    else summary.textContent = "Workshop closed since " + clock(workshop.closed) + ": no one joins, and every student's token has ended.";
  }

  // Each message sent, newest first, and how many students' terminals have printed it.
  function drawMessages() {
    const everyone = students.size;
    messageList.replaceChildren(...[...messages.values()].sort((a, b) => b.id - a.id).map((m) => {
      const seen = [...students.values()].filter((s) => s.messageSeen >= m.id).length;
      return el("li", { "data-id": String(m.id) }, el("span", { class: "muted" }, clock(m.sent) + " "), m.text, " ",
        el("span", { class: "seen" }, "printed by " + seen + " of " + everyone + (everyone === 1 ? " student" : " students")));
    }));
  }

  function tell(words) {
    news.textContent = words + " (" + clock(new Date().toISOString()) + ")";
  }

  // --- the socket -------------------------------------------------------------------------------
  function tally(name) {
    root.dataset[name] = String(Number(root.dataset[name] || 0) + 1); // how many views, pieces, connections: for tests
  }

  function receive(frame) {
    if (!isObject(frame)) return;
    if ("view" in frame) {
      if (!isObject(frame.view)) return;
      const before = workshop;
      workshop = "workshop" in frame.view ? cleanWorkshop(frame.view.workshop) : workshop;
      if (before && workshop && before.open && !workshop.open) tell("The workshop closed: every student's token has ended");
      if (Number.isSafeInteger(frame.view.active_minutes) && frame.view.active_minutes > 0) activeMinutes = frame.view.active_minutes;
      messages.clear();
      for (const raw of Array.isArray(frame.view.messages) ? frame.view.messages : []) {
        const message = cleanMessage(raw);
        if (message) messages.set(message.id, message);
      }
      pending = new Map();
    } else if ("piece" in frame) {
      if (!isObject(frame.piece) || !pending) return;
      for (const raw of Array.isArray(frame.piece.students) ? frame.piece.students : []) put(pending, raw);
      tally("pieces");
      if (frame.piece.last === true) {
        students = pending;
        pending = null;
        draw();
        tally("views");
      }
    } else if ("student" in frame) {
      const name = isObject(frame.student) ? frame.student.name : null;
      if (typeof name !== "string" || !name) return;
      if (!students.has(name) && frame.student.part !== true && clean(frame.student)) tell(name + " joined");
      put(students, frame.student);
      if (pending) put(pending, frame.student);
      draw();
    } else if ("left" in frame) {
      if (typeof frame.left !== "string") return;
      students.delete(frame.left);
      if (pending) pending.delete(frame.left);
      tell(frame.left + " left");
      draw();
    } else if ("message" in frame) {
      const message = cleanMessage(frame.message);
      if (message) messages.set(message.id, message);
      drawMessages();
    } else if ("sent" in frame) {
      messageStatus.textContent = "Sent at " + clock(new Date().toISOString()) + ". A running --watch prints it at once; every other student's next exercise run prints it. Below: how many have.";
      text.value = "";
      length.textContent = "0 of 500 characters";
    } else if ("removed" in frame) {
      tell(str(frame.removed) + " removed from the room");
    } else if ("cleared" in frame) {
      if (isObject(frame.cleared)) tell(str(frame.cleared.name) + "'s " + str(frame.cleared.exercise) + " cleared");
    } else if ("error" in frame) {
      messageStatus.textContent = "Not done: " + (str(frame.error) || "the room refused it");
    }
  }

  function cleanWorkshop(raw) {
    return isObject(raw) ? { open: raw.open === true, opened: time(raw.opened), closed: time(raw.closed) } : null;
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
      tally("connections");
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
      pending = null; // a view cut short is never drawn: the next connection sends a whole one
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

  function sendFrame(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      messageStatus.textContent = "Not sent: the page is not connected right now; try again in a moment.";
      return false;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sendFrame({ message: text.value })) messageStatus.textContent = "Sending…";
  });
  text.addEventListener("input", () => {
    length.textContent = text.value.length + " of 500 characters";
  });
  // A tile's card: clear one status at once; remove a student only on a second click within 5 s.
  tiles.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const name = button.dataset.name;
    if (button.classList.contains("clear")) sendFrame({ clear: { name, exercise: button.dataset.exercise } });
    if (!button.classList.contains("remove")) return;
    if (button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.textContent = "Click again to remove " + name;
      setTimeout(() => {
        button.dataset.armed = "";
        button.textContent = "Remove " + name + " from the room";
      }, 5000);
      return;
    }
    sendFrame({ remove: name });
  });
  setInterval(draw, 15000); // "checked 3 min ago" and "hand up for 4 min" move with the clock
  connect();
})();
