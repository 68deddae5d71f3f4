// What the teacher dashboard and the parent page share: the catalogue lookup and their one websocket to the
// classroom server (server/PROTOCOL.md, v1). Loaded first (both pages list it before their own script); each
// page keeps its state in one `ui` object with the fields used here: strings, lang, ws, joined, backoffMs, conn.
"use strict";

// closes that mean "do not come back": policy (bad token or origin), frame too big, too many connections,
// an invalid hello
const NO_RECONNECT = [1008, 1009, 1013, 4001];
const BACKOFF_MAX_MS = 10000;

// The catalogue line `key` in the page's language (English, then the key itself, when it is missing), with
// `{name}` placeholders filled from `params`.
function t(key, params) {
  const entry = ui.strings[key];
  let s = entry ? (entry[ui.lang] || entry.en || key) : key;
  if (params) {
    for (const [name, value] of Object.entries(params)) s = s.split("{" + name + "}").join(String(value));
  }
  return s;
}

// Open the websocket to this page's own server: `hello()` is sent on open, every JSON message with a type goes
// to `handle`, and a close reconnects with a doubling backoff (the page's welcome handler resets it) unless
// its code says not to or `stopped()` is true; `render` runs after each close so the page shows it.
function connectLive(hello, handle, render, stopped) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(proto + "//" + location.host + "/");
  ui.ws = ws;
  ui.joined = false;
  ws.onopen = () => ws.send(JSON.stringify(hello()));
  ws.onmessage = (event) => {
    let msg;
    try { msg = JSON.parse(event.data); } catch (err) { return; }
    if (msg && typeof msg.type === "string") handle(msg);
  };
  ws.onclose = (event) => {
    if (ws !== ui.ws) return;
    ui.joined = false;
    if ((stopped && stopped()) || NO_RECONNECT.includes(event.code)) {
      ui.conn = "closed";
    } else {
      ui.conn = "offline";
      setTimeout(() => connectLive(hello, handle, render, stopped), ui.backoffMs);
      ui.backoffMs = Math.min(ui.backoffMs * 2, BACKOFF_MAX_MS);
    }
    render();
  };
}
