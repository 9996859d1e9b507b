// The lesson pages' live client: plain JavaScript, no build step. A route is a
// WebSocket ("ws"), a server-sent event stream ("sse", an EventSource) or one
// HTTP request ("http", a fetch). Every frame, event or response, and every
// open/close/error, goes into the log with its time and direction.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const route = $("route"), path = $("path"), log = $("log"), status = $("status");
  const message = $("message"), reconnect = $("reconnect");
  const sendButtons = ["send-text", "send-json", "send-bytes"].map($);
  let socket = null;
  let wantOpen = false;   // true between Connect and Disconnect
  let retries = 0;        // reconnect attempts since the last successful open
  let retryTimer = null;
  let source = null;      // the EventSource of an "sse" route
  let request = null;     // the AbortController of a pending "http" request
  let lastEventId = "";   // what a reconnecting EventSource sends as Last-Event-ID
  // The event names the course's streams use (lesson 10): EventSource hears a
  // named event only through a listener for that name.
  const EVENT_NAMES = ["message", "post", "tick"];

  const kind = () => route.selectedOptions[0].dataset.kind || "ws";
  // With the inspector on (course/static/course/inspector.js), each connection
  // carries this page's id, so the "server side" panel can show it.
  const inspected = (url) => (window.lessonInspector ? window.lessonInspector.tag(url) : url);
  const method = () => route.selectedOptions[0].dataset.method || "GET";

  function entry(direction, text, extraClass, label) {
    const li = document.createElement("li");
    li.className = "frame " + direction + (extraClass ? " " + extraClass : "");
    li.dataset.direction = direction;
    const time = new Date().toISOString().slice(11, 23);
    const arrow = { out: "→ sent", in: "← received", event: "• event" }[direction];
    li.innerHTML = '<span class="time"></span> <span class="dir"></span> <span class="data"></span>';
    li.querySelector(".time").textContent = time;
    li.querySelector(".dir").textContent = label ? arrow + " " + label : arrow;
    li.querySelector(".data").textContent = text;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function setOpen(open) {
    status.textContent = open ? "open" : (wantOpen ? "connecting" : "closed");
    $("connect").disabled = wantOpen;
    $("disconnect").disabled = !wantOpen;
    sendButtons.forEach((b) => { b.disabled = !open || kind() !== "ws"; });
  }

  function wsUrl() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/" + path.value.replace(/^\/+/, "");
  }

  // Lesson 12: a socket that hears {"post": {"id": ...}} frames reconnects asking
  // for what it missed (?since=<the highest id seen>), and shows each post once:
  // a frame identical to one already shown is dropped; a changed one is an update.
  let lastPostId = null;
  const shownPosts = new Map();  // post id -> the frame's text
  function isRepeatedPost(text) {
    let post;
    try { post = JSON.parse(text).post; } catch (err) { return false; }
    if (!post || !Number.isInteger(post.id)) return false;
    lastPostId = Math.max(lastPostId === null ? 0 : lastPostId, post.id);
    const repeated = shownPosts.get(post.id) === text;
    shownPosts.set(post.id, text);
    return repeated;
  }
  function withSince(url) {
    if (lastPostId === null) return url;
    const u = new URL(url);
    u.searchParams.set("since", lastPostId);
    return u.toString();
  }

  function open(reconnecting) {
    const url = reconnecting ? withSince(wsUrl()) : wsUrl();
    entry("event", "connecting to " + url);
    socket = new WebSocket(inspected(url));
    socket.binaryType = "arraybuffer";
    socket.onopen = () => { retries = 0; entry("event", "open"); setOpen(true); };
    socket.onmessage = (e) => {
      if (typeof e.data === "string" && isRepeatedPost(e.data)) {
        entry("event", "dropped a post already shown: " + e.data, "duplicate");
      } else if (typeof e.data === "string") {
        entry("in", e.data);
      } else {
        const bytes = new Uint8Array(e.data);
        entry("in", "[binary, " + bytes.length + " bytes] " + new TextDecoder().decode(bytes), "binary");
      }
    };
    socket.onerror = () => entry("event", "error (the browser hides the details; see the close code)");
    socket.onclose = (e) => {
      entry("event", "closed with code " + e.code + (e.reason ? ", reason: " + e.reason : ""), "close");
      socket = null;
      setOpen(false);
      if (wantOpen && reconnect.checked) {
        // Exponential backoff with a cap, so a restarting server is not hammered, and full
        // jitter (a random wait below that ceiling), so pages that lost one server together
        // do not all come back at the same instant: lesson 14's reconnect storm.
        const ceiling = Math.min(30000, 500 * 2 ** retries);
        const delay = Math.random() * ceiling;
        retries += 1;
        entry("event", "reconnecting in " + (delay / 1000).toFixed(2) + " s (attempt " + retries + ")", "reconnect");
        retryTimer = setTimeout(() => open(true), delay);
      } else {
        wantOpen = false;
        setOpen(false);
      }
    };
  }

  function httpUrl() {
    return location.origin + "/" + path.value.replace(/^\/+/, "");
  }

  // Server-sent events: the browser reconnects by itself after a lost
  // connection, sending the last event's id as Last-Event-ID; no backoff here.
  function openStream() {
    const url = httpUrl();
    entry("event", "connecting to " + url + " (EventSource)");
    source = new EventSource(inspected(url));
    source.onopen = () => { entry("event", "open"); setOpen(true); };
    EVENT_NAMES.forEach((name) => source.addEventListener(name, (e) => {
      lastEventId = e.lastEventId;
      entry("in", e.data, null, "event: " + name + (e.lastEventId ? ", id: " + e.lastEventId : ""));
    }));
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        entry("event", "connection lost; the browser reconnects by itself with Last-Event-ID: " +
          (lastEventId || "(none yet)"), "reconnect");
        setOpen(false);
      } else {
        // An HTTP error status, or a response that is not text/event-stream: EventSource gives up.
        entry("event", "closed: the response was not an event stream, so the browser will not retry", "close");
        source = null;
        wantOpen = false;
        setOpen(false);
      }
    };
  }

  // One HTTP request: the message box is a POST's body; the response's status and body are logged.
  // A POST carries the page's CSRF token, so a route that checks it (POST /http/publish/) accepts it.
  function sendRequest() {
    const verb = method(), url = httpUrl();
    const body = verb === "POST" ? message.value : undefined;
    const headers = verb === "POST" ? { "X-CSRFToken": $("csrf-token").value } : {};
    request = new AbortController();
    entry("out", body === undefined ? "(no body)" : body, null, verb + " " + url);
    status.textContent = "waiting for the response";
    fetch(inspected(url), { method: verb, body: body, headers: headers, signal: request.signal })
      .then(async (response) => {
        entry("in", (await response.text()) || "(no body)", null, "HTTP " + response.status);
      })
      .catch((err) => entry("event", "request ended: " + err.message, "close"))
      .finally(() => { request = null; wantOpen = false; setOpen(false); });
  }

  function send(kind) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const value = message.value;
    if (kind === "json") {
      try {
        JSON.parse(value);
      } catch (err) {
        entry("event", "not sent: the message box does not hold valid JSON (" + err.message + ")", "invalid");
        return;
      }
    }
    if (kind === "bytes") {
      socket.send(new TextEncoder().encode(value));
      entry("out", "[binary, " + new TextEncoder().encode(value).length + " bytes] " + value, "binary");
    } else {
      socket.send(value);
      entry("out", value);
    }
  }

  // Only the chosen route's summary: the list of all of them pushed the
  // frame log and the inspector below a laptop's first screen.
  function showSummary() {
    document.querySelectorAll("#route-summaries li").forEach((li, i) => { li.hidden = i !== route.selectedIndex; });
  }

  route.addEventListener("change", () => {
    showSummary();
    path.value = route.value;
    message.value = route.selectedOptions[0].dataset.sample || "";
    $("connect").textContent = kind() === "http" ? "Send request" : "Connect";
    lastEventId = "";
    lastPostId = null;
    shownPosts.clear();
  });
  $("connect").addEventListener("click", () => {
    wantOpen = true;
    retries = 0;
    setOpen(false);
    ({ ws: () => open(false), sse: openStream, http: sendRequest })[kind()]();
  });
  $("disconnect").addEventListener("click", () => {
    wantOpen = false;
    clearTimeout(retryTimer);
    if (socket) socket.close(1000, "client disconnect");
    if (source) { source.close(); source = null; entry("event", "closed by you (EventSource.close())", "close"); }
    if (request) request.abort();
    setOpen(false);
  });
  $("connect").textContent = kind() === "http" ? "Send request" : "Connect";
  showSummary();
  $("send-text").addEventListener("click", () => send("text"));
  $("send-json").addEventListener("click", () => send("json"));
  $("send-bytes").addEventListener("click", () => send("bytes"));
  $("clear-log").addEventListener("click", () => { log.innerHTML = ""; });
})();
