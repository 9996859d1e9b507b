// The lesson pages' live WebSocket client: plain JavaScript, no build step.
// Every frame sent or received, and every open/close/error, goes into the
// frame log with its time and direction, so students see the raw exchange.
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

  function entry(direction, text, extraClass) {
    const li = document.createElement("li");
    li.className = "frame " + direction + (extraClass ? " " + extraClass : "");
    li.dataset.direction = direction;
    const time = new Date().toISOString().slice(11, 23);
    const arrow = { out: "→ sent", in: "← received", event: "• event" }[direction];
    li.innerHTML = '<span class="time"></span> <span class="dir"></span> <span class="data"></span>';
    li.querySelector(".time").textContent = time;
    li.querySelector(".dir").textContent = arrow;
    li.querySelector(".data").textContent = text;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function setOpen(open) {
    status.textContent = open ? "open" : (wantOpen ? "connecting" : "closed");
    $("connect").disabled = wantOpen;
    $("disconnect").disabled = !wantOpen;
    sendButtons.forEach((b) => { b.disabled = !open; });
  }

  function wsUrl() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/" + path.value.replace(/^\/+/, "");
  }

  function open() {
    const url = wsUrl();
    entry("event", "connecting to " + url);
    socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => { retries = 0; entry("event", "open"); setOpen(true); };
    socket.onmessage = (e) => {
      if (typeof e.data === "string") {
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
        // Exponential backoff with a cap, so a restarting server is not hammered.
        const delay = Math.min(30000, 500 * 2 ** retries);
        retries += 1;
        entry("event", "reconnecting in " + (delay / 1000) + " s (attempt " + retries + ")", "reconnect");
        retryTimer = setTimeout(open, delay);
      } else {
        wantOpen = false;
        setOpen(false);
      }
    };
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

  route.addEventListener("change", () => {
    path.value = route.value;
    message.value = route.selectedOptions[0].dataset.sample || "";
  });
  $("connect").addEventListener("click", () => { wantOpen = true; retries = 0; setOpen(false); open(); });
  $("disconnect").addEventListener("click", () => {
    wantOpen = false;
    clearTimeout(retryTimer);
    if (socket) socket.close(1000, "client disconnect");
    setOpen(false);
  });
  $("send-text").addEventListener("click", () => send("text"));
  $("send-json").addEventListener("click", () => send("json"));
  $("send-bytes").addEventListener("click", () => send("bytes"));
  $("clear-log").addEventListener("click", () => { log.innerHTML = ""; });
})();
