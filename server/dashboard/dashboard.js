// vbranch teacher dashboard: a teacher client of the classroom websocket protocol (server/PROTOCOL.md, v1).
// Why vanilla JS with no build step: the page ships inside the Python package and is served by the classroom
// server itself. Untrusted text (learner names, server messages) only ever goes through textContent, never
// innerHTML, and the page runs under a strict Content-Security-Policy (no inline code, no eval).
// The teacher token lives in sessionStorage only: it survives a reload of this tab, not the browser.
"use strict";

const TOKEN_KEY = "vbranch.teacher_token";
const LANG_KEY = "vbranch.lang";
const POLL_MS = 2000;
const LOG_MAX = 60;

const $ = (id) => document.getElementById(id);
const ui = {
  strings: {}, lang: "en", ws: null, joined: false, backoffMs: 500, room: "", conn: "connecting",
  contest: null, rejoined: false, board: null, prices: {}, basePrices: {}, market: {}, log: [], pending: [],
  downloading: false,
};

// ----- strings ---------------------------------------------------------------------------------------------
// t(key, params): live.js

function pickLang() {
  const saved = sessionStorage.getItem(LANG_KEY);
  if (saved === "zh" || saved === "en") return saved;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function applyStrings() {
  document.documentElement.lang = ui.lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const option of $("scenario").options) option.textContent = option.dataset[ui.lang] || option.value;
  render();
}

// ----- connection ------------------------------------------------------------------------------------------
function send(obj) {
  if (ui.ws && ui.ws.readyState === WebSocket.OPEN) ui.ws.send(JSON.stringify(obj));
}

function teacher(cmd, args) {
  send(Object.assign({ type: "teacher", cmd: cmd }, args || {}));
}

function teacherHello() {
  const hello = { type: "hello", v: 1, name: "Teacher", role: "teacher", lang: ui.lang };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) hello.token = token;
  return hello;
}

function connect() {
  connectLive(teacherHello, handle, render);
}

// ----- messages --------------------------------------------------------------------------------------------
function handle(msg) {
  switch (msg.type) {
    case "welcome": return onWelcome(msg);
    case "contest": return onContest(msg);
    case "leaderboard": ui.board = msg; return render();
    case "delta": return onDelta(msg);
    case "error": return onError(msg);
    default: return undefined;
  }
}

function onWelcome(msg) {
  ui.joined = true;
  ui.backoffMs = 500;
  ui.conn = "online";
  ui.room = msg.room || "";
  if (msg.teacher_token) sessionStorage.setItem(TOKEN_KEY, msg.teacher_token);
  const snap = msg.snapshot || {};
  if (snap.contest) ui.contest = Object.assign({}, ui.contest, snap.contest);
  ui.rejoined = Boolean(snap.contest);  // the contest message that follows is this contest, not a new one
  if (snap.market) {
    ui.prices = Object.assign({}, snap.market.p || {});
    ui.basePrices = Object.assign({}, ui.prices, ui.basePrices);
    ui.market = Object.assign({}, snap.market);
  }
  if (ui.contest) teacher("leaderboard");
  render();
}

function onContest(msg) {
  const before = ui.contest || {};
  const fresh = msg.join_code && msg.join_code !== before.join_code && !ui.rejoined;
  if (msg.join_code) ui.rejoined = false;
  ui.contest = Object.assign({}, before, msg);
  if (fresh) {
    ui.board = null;
    ui.prices = {};
    ui.basePrices = {};
    addLog("log.created", { scenario: (msg.settings || {}).scenario || "", code: msg.join_code });
  } else if (msg.state && msg.state !== before.state) {
    addLog("log.state", { state: { key: "state." + msg.state } });
  }
  if (msg.join_code && ui.pending.length) addLog(...ui.pending.shift());
  render();
}

function onDelta(msg) {
  if (msg.p) {
    Object.assign(ui.prices, msg.p);
    for (const [sym, price] of Object.entries(msg.p)) if (!(sym in ui.basePrices)) ui.basePrices[sym] = price;
  }
  for (const key of ["day", "speed", "halt"]) if (key in msg) ui.market[key] = msg[key];
  let changed = false;
  if (msg.state && ui.contest && msg.state !== ui.contest.state) {
    ui.contest.state = msg.state;
    addLog("log.state", { state: { key: "state." + msg.state } });
    changed = true;
  }
  for (const ev of msg.ev || []) {
    if (["crash_started", "limit_hit", "halt", "resumed"].includes(ev.type)) {
      addLog("ev." + ev.type, { symbol: ev.symbol || "" });
      changed = true;
    }
  }
  if (changed) render(); else renderMarket();  // deltas come at up to 20 Hz: redraw only what they touch
}

function onError(msg) {
  if (!ui.joined && (msg.code === "bad_token" || msg.code === "bad_join")) {
    // the room behind the saved token is gone (a server without its journal): open a new one
    sessionStorage.removeItem(TOKEN_KEY);
    ui.ws.close();
    return;
  }
  ui.pending = [];
  addLog("log.error", { message: msg.message || msg.code || "" });
  render();
}

function addLog(key, params) {
  ui.log.unshift({ key: key, params: params || {}, at: new Date() });
  ui.log.length = Math.min(ui.log.length, LOG_MAX);
}

// ----- rendering -------------------------------------------------------------------------------------------
function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function signClass(x) {
  return x > 0 ? "up" : (x < 0 ? "down" : "");
}

function render() {
  const c = ui.contest;
  const state = c ? c.state : null;
  $("room").textContent = ui.room ? t("room", { room: ui.room }) : "";
  $("conn").textContent = t("conn." + ui.conn);
  $("conn").className = "conn " + ui.conn;
  const online = ui.joined;
  const enable = (id, on) => { $(id).disabled = !(online && on); };
  enable("create", !c || state === "ended");
  enable("start", state === "created");
  enable("pause", state === "running");
  enable("resume", state === "paused");
  for (const id of ["set-speed", "crash", "rally"]) enable(id, state === "running" || state === "paused");
  enable("end", state === "created" || state === "running" || state === "paused");

  $("no-contest").hidden = Boolean(c);
  $("join").hidden = !(c && c.join_code);
  if (c && c.join_code) {
    $("join-code").textContent = c.join_code;
    const src = "/qr?text=" + encodeURIComponent(c.join_code);
    if ($("qr").getAttribute("src") !== src) $("qr").setAttribute("src", src);
    $("state").textContent = t("state." + state);
    $("state").className = "state " + state;
  }
  $("report").hidden = !c;
  for (const id of ["report-csv", "report-html"]) $(id).disabled = !(online && c) || ui.downloading;
  renderBoard();
  renderMarket();
  renderLog();
}

function renderBoard() {
  const board = ui.board;
  const rows = board ? board.rows || [] : [];
  $("board-title").textContent = t(board && board.final ? "final" : "leaderboard");
  const body = $("board-rows");
  body.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement("tr");
    if (!r.qualified) tr.className = "unqualified";
    tr.append(cell("td", String(r.rank)), cell("td", r.name, "name"), cell("td", Number(r.score).toFixed(1)),
      cell("td", Number(r.return_pct).toFixed(2), signClass(r.return_pct)),
      cell("td", Number(r.max_drawdown_pct).toFixed(2)), cell("td", Number(r.discipline).toFixed(0)),
      cell("td", String(r.trades)), cell("td", String(r.panic_sells)));
    if (!r.qualified) tr.children[1].title = t("not_qualified");
    body.append(tr);
  }
  $("no-learners").hidden = rows.length > 0;
  $("benchmark").textContent = board ? t("benchmark", { pct: Number(board.benchmark_return_pct).toFixed(2) }) : "";
}

function renderMarket() {
  const m = ui.market;
  $("market-day").textContent = "day" in m ? t("market_day", { day: m.day, speed: m.speed }) : "";
  $("halted").hidden = !m.halt;
  const body = $("price-rows");
  body.replaceChildren();
  for (const sym of Object.keys(ui.prices).sort()) {
    const price = ui.prices[sym];
    const base = ui.basePrices[sym] || price;
    const change = base ? (100 * (price - base)) / base : 0;
    const tr = document.createElement("tr");
    tr.append(cell("td", sym), cell("td", String(price)),
      cell("td", (change > 0 ? "+" : "") + change.toFixed(2) + "%", signClass(change)));
    body.append(tr);
  }
}

function renderLog() {
  const list = $("log");
  list.replaceChildren();
  for (const item of ui.log) {
    const params = {};
    for (const [k, v] of Object.entries(item.params)) params[k] = v && v.key ? t(v.key) : v;
    const li = cell("li", t(item.key, params));
    li.prepend(cell("time", item.at.toLocaleTimeString(ui.lang === "zh" ? "zh-CN" : "en-GB") + " "));
    list.append(li);
  }
}

// ----- report download -------------------------------------------------------------------------------------
// The teacher token goes in an Authorization header (a URL would leave it in server and proxy logs); the
// answer arrives as a Blob and is saved through a temporary object URL.
function filenameFrom(response, fallback) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : fallback;
}

async function downloadReport(ext) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token || !ui.room) return;
  ui.downloading = true;
  render();
  try {
    const url = "/report/" + encodeURIComponent(ui.room) + "." + ext + "?lang=" + ui.lang;
    const response = await fetch(url, { headers: { Authorization: "Bearer " + token }, cache: "no-store" });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()).trim());
    const name = filenameFrom(response, "contest." + ext);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    addLog("log.report_saved", { file: name });
  } catch (err) {
    addLog("log.report_failed", { message: String((err && err.message) || err) });
  } finally {
    ui.downloading = false;
    render();
  }
}

// ----- controls --------------------------------------------------------------------------------------------
function numberFrom(id, fallback) {
  const x = Number($(id).value);
  return Number.isFinite(x) ? x : fallback;
}

function wire() {
  $("lang").addEventListener("click", () => {
    ui.lang = ui.lang === "zh" ? "en" : "zh";
    sessionStorage.setItem(LANG_KEY, ui.lang);
    applyStrings();
  });
  $("create").addEventListener("click", () => teacher("create_contest", {
    scenario: $("scenario").value,
    starting_cash: numberFrom("cash", 100000),
    duration_s: Math.round(numberFrom("duration", 10) * 60),
  }));
  for (const cmd of ["start", "pause", "resume", "end"]) $(cmd).addEventListener("click", () => teacher(cmd));
  $("report-csv").addEventListener("click", () => downloadReport("csv"));
  $("report-html").addEventListener("click", () => downloadReport("html"));
  $("set-speed").addEventListener("click", () => {
    const speed = numberFrom("speed", 1);
    ui.pending.push(["log.speed", { speed: speed }]);
    teacher("set_speed", { speed: speed });
  });
  for (const [id, sign] of [["crash", -1], ["rally", 1]]) {
    $(id).addEventListener("click", () => {
      const pct = sign * Math.abs(numberFrom("event-pct", 20));
      ui.pending.push(["log.injected", { event: { key: "inject_" + id }, pct: pct }]);
      teacher("inject_event", { event: id, pct: pct });
    });
  }
  setInterval(() => {
    const state = ui.contest && ui.contest.state;
    if (ui.joined && (state === "created" || state === "running" || state === "paused")) teacher("leaderboard");
  }, POLL_MS);
}

async function start() {
  ui.lang = pickLang();
  try {
    const response = await fetch("/catalogue.json", { cache: "no-store" });
    const catalogue = await response.json();
    ui.strings = catalogue.strings || {};
    const select = $("scenario");
    for (const s of catalogue.scenarios || []) {
      const option = cell("option", s.id);
      option.value = s.id;
      option.dataset.zh = (s.title && s.title.zh) || s.id;
      option.dataset.en = (s.title && s.title.en) || s.id;
      select.append(option);
    }
    select.value = "crash";
  } catch (err) {
    ui.strings = {};
  }
  wire();
  applyStrings();
  connect();
}

document.addEventListener("DOMContentLoaded", start);
