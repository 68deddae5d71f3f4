// vbranch parent view (亲子财商账户): a read-only parent client of the classroom protocol (server/PROTOCOL.md, v1).
// The access code is the learner's parent token, carried in the URL fragment (/parent#token): browsers never
// send a fragment to the server, so it stays out of logs. The websocket (role "parent") brings the account:
// the welcome snapshot, then fills and price deltas; the child's row of the live board comes from
// /parent/standing.json with the token in an Authorization header, because only the server knows which
// row is this child's. Untrusted text (names, server messages) only ever goes through textContent.
"use strict";

const LANG_KEY = "vbranch.lang";
const STANDING_POLL_MS = 10000;
const FILLS_MAX = 30;

const $ = (id) => document.getElementById(id);
const ui = {
  strings: {}, scenarios: {}, lang: "en", token: "", ws: null, joined: false, backoffMs: 500, conn: "connecting",
  problem: "", instruments: {}, prices: {}, market: {}, contest: {}, cash: null, positions: {}, standing: null,
  fills: [], standingTimer: null,
};

// ----- strings and numbers ---------------------------------------------------------------------------------
// t(key, params): live.js

function locale() {
  return ui.lang === "zh" ? "zh-CN" : "en-US";
}

function money(x) {
  return Number(x).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function pct(x, digits) {
  const d = digits === undefined ? 2 : digits;
  return (x > 0 ? "+" : "") + Number(x).toFixed(d) + "%";
}

function signClass(x) {
  return x > 0 ? "up" : (x < 0 ? "down" : "");
}

function pickLang() {
  const saved = sessionStorage.getItem(LANG_KEY);
  if (saved === "zh" || saved === "en") return saved;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

// ----- the account ------------------------------------------------------------------------------------------
function equity() {
  if (ui.cash === null) return null;
  let total = ui.cash;
  for (const [sym, qty] of Object.entries(ui.positions)) total += qty * (ui.prices[sym] || 0);
  return total;
}

function instrumentName(sym) {
  const inst = ui.instruments[sym];
  return inst ? (ui.lang === "zh" ? inst.name_zh : inst.name_en) || sym : sym;
}

function priceText(sym) {
  const inst = ui.instruments[sym];
  const price = ui.prices[sym];
  return price === undefined ? "—" : Number(price).toFixed(inst ? inst.decimals : 2);
}

// ----- connection -------------------------------------------------------------------------------------------
function connect() {
  connectLive(() => ({ type: "hello", v: 1, name: "parent", role: "parent", token: ui.token, lang: ui.lang }),
    handle, render, () => Boolean(ui.problem));
}

function handle(msg) {
  switch (msg.type) {
    case "welcome": return onWelcome(msg);
    case "delta": return onDelta(msg);
    case "fill": return onFill(msg);
    case "contest": return onContest(msg);
    case "leaderboard": return fetchStanding();
    case "error": return onError(msg);
    default: return undefined;
  }
}

function onWelcome(msg) {
  ui.joined = true;
  ui.backoffMs = 500;
  ui.conn = "online";
  const snap = msg.snapshot || {};
  ui.contest = Object.assign({}, snap.contest || {});
  ui.market = Object.assign({}, snap.market || {});
  ui.prices = Object.assign({}, ui.market.p || {});
  ui.instruments = {};
  for (const inst of snap.instruments || []) ui.instruments[inst.symbol] = inst;
  const me = snap.me;
  ui.cash = me ? me.cash : null;
  ui.positions = {};
  if (me) for (const [sym, pos] of Object.entries(me.positions || {})) ui.positions[sym] = pos.qty;
  fetchStanding();
  render();
}

function onContest(msg) {
  if (msg.state === "created" && ui.contest.state && ui.contest.state !== "created") {
    // the teacher opened the next contest in this room: every account starts again from the starting cash
    ui.cash = (msg.settings || {}).starting_cash || null;
    ui.positions = {};
    ui.fills = [];
  }
  ui.contest = Object.assign({}, ui.contest, { state: msg.state, settings: msg.settings });
  fetchStanding();
  render();
}

function onDelta(msg) {
  if (msg.p) ui.prices = msg.full ? Object.assign({}, msg.p) : Object.assign(ui.prices, msg.p);
  for (const key of ["day", "speed", "halt", "state"]) if (key in msg) ui.market[key] = msg[key];
  if (msg.state) ui.contest.state = msg.state;
  renderAccount();
}

function onFill(msg) {
  ui.cash = msg.cash;
  ui.positions[msg.symbol] = msg.position_qty;
  if (!msg.position_qty) delete ui.positions[msg.symbol];
  ui.fills.unshift(Object.assign({ at: new Date() }, msg));
  ui.fills.length = Math.min(ui.fills.length, FILLS_MAX);
  fetchStanding();
  render();
}

function onError(msg) {
  if (!ui.joined && (msg.code === "bad_token" || msg.code === "bad_join")) {
    ui.problem = "parent.bad_token";  // the token is wrong, or its contest is gone from this server
    ui.ws.close();
  }
  render();
}

async function fetchStanding() {
  try {
    const response = await fetch("/parent/standing.json",
      { headers: { Authorization: "Bearer " + ui.token }, cache: "no-store" });
    if (response.status === 403) { ui.problem = "parent.bad_token"; render(); return; }
    if (!response.ok) return;
    ui.standing = await response.json();
    render();
  } catch (err) {
    // offline: the websocket's reconnect brings a fresh standing with its welcome
  }
}

// ----- rendering --------------------------------------------------------------------------------------------
function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function applyStrings() {
  document.documentElement.lang = ui.lang === "zh" ? "zh-CN" : "en";
  document.title = t("parent.title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  render();
}

function render() {
  $("conn").textContent = t("conn." + ui.conn);
  $("conn").className = "conn " + ui.conn;
  $("problem").hidden = !ui.problem;
  $("problem").textContent = ui.problem ? t(ui.problem) : "";
  const s = ui.standing;
  $("learner").textContent = s && s.name ? t("parent.learner", { name: s.name }) : "";
  renderAccount();
  renderStanding();
  renderFills();
}

function renderAccount() {
  const eq = equity();
  const settings = ui.contest.settings || {};
  const start = settings.starting_cash;
  $("equity").textContent = eq === null ? "—" : money(eq);
  $("cash").textContent = ui.cash === null ? "—" : money(ui.cash);
  const ret = eq !== null && start ? (100 * (eq - start)) / start : null;
  $("return").textContent = ret === null ? "—" : pct(ret);
  $("return").className = ret === null ? "" : signClass(ret);
  const state = ui.contest.state;
  const scenario = ui.scenarios[settings.scenario];
  const parts = [];
  if (scenario) parts.push(scenario[ui.lang] || scenario.en || settings.scenario);
  if (state) parts.push(t("state." + state));
  if ("day" in ui.market) parts.push(t("market_day", { day: ui.market.day, speed: ui.market.speed }));
  if (start) parts.push(t("parent.starting_cash", { cash: money(start) }));
  $("contest-line").textContent = parts.join(" · ");
  $("halted").hidden = !ui.market.halt;
  const body = $("position-rows");
  body.replaceChildren();
  const held = Object.keys(ui.positions).filter((sym) => ui.positions[sym]).sort();
  for (const sym of held) {
    const qty = ui.positions[sym];
    const value = qty * (ui.prices[sym] || 0);
    const tr = document.createElement("tr");
    tr.dataset.symbol = sym;
    tr.append(cell("td", instrumentName(sym) + " " + sym, "name"), cell("td", String(qty)),
      cell("td", priceText(sym)), cell("td", money(value)),
      cell("td", eq ? ((100 * value) / eq).toFixed(1) + "%" : "—"));
    body.append(tr);
  }
  $("positions").hidden = held.length === 0;
  $("no-positions").hidden = held.length > 0 || ui.cash === null;
}

function renderStanding() {
  const s = ui.standing;
  const body = $("standing-rows");
  body.replaceChildren();
  if (!s || !s.row || !s.state || s.state === "created") {
    $("rank").textContent = t("parent.not_ranked");
    $("benchmark").textContent = "";
    return;
  }
  const r = s.row;
  $("rank").textContent = t(s.final ? "parent.rank_final" : "parent.rank", { rank: s.rank, n: s.n });
  // the board's own numbers (from its samples); the live return is the account card's
  const rows = [
    ["col.score", Number(r.score).toFixed(1), ""],
    ["col.sortino", Number(r.sortino).toFixed(2), ""],
    ["col.max_drawdown_pct", Number(r.max_drawdown_pct).toFixed(2) + "%", ""],
    ["col.discipline", Number(r.discipline).toFixed(0), ""],
    ["col.trades", String(r.trades), ""],
    ["col.panic_sells", String(r.panic_sells), ""],
  ];
  for (const [key, value, cls] of rows) {
    const tr = document.createElement("tr");
    tr.append(cell("th", t(key)), cell("td", value, cls));
    body.append(tr);
  }
  if (!r.qualified) {
    const note = cell("td", t("not_qualified"));
    note.colSpan = 2;
    const tr = document.createElement("tr");
    tr.className = "unqualified";
    tr.append(note);
    body.append(tr);
  }
  $("benchmark").textContent = t("benchmark", { pct: Number(s.benchmark_return_pct).toFixed(2) });
}

function renderFills() {
  const list = $("fills");
  list.replaceChildren();
  for (const f of ui.fills) {
    let line = t("parent.fill", { side: t("parent.side." + f.side), qty: f.qty, name: instrumentName(f.symbol),
      price: Number(f.price).toFixed(ui.instruments[f.symbol] ? ui.instruments[f.symbol].decimals : 2) });
    if (f.reason && f.reason !== "order") line += " · " + t("parent.reason." + f.reason);
    const li = cell("li", line);
    li.prepend(cell("time", f.at.toLocaleTimeString(locale()) + " "));
    list.append(li);
  }
  $("no-fills").hidden = ui.fills.length > 0;
}

// ----- start ------------------------------------------------------------------------------------------------
async function start() {
  ui.lang = pickLang();
  ui.token = decodeURIComponent(location.hash.slice(1));
  try {
    const response = await fetch("/catalogue.json", { cache: "no-store" });
    const catalogue = await response.json();
    ui.strings = catalogue.strings || {};
    for (const s of catalogue.scenarios || []) ui.scenarios[s.id] = s.title || {};
  } catch (err) {
    ui.strings = {};
  }
  $("lang").addEventListener("click", () => {
    ui.lang = ui.lang === "zh" ? "en" : "zh";
    sessionStorage.setItem(LANG_KEY, ui.lang);
    applyStrings();
  });
  if (!ui.token) {
    ui.problem = "parent.no_token";
    ui.conn = "closed";
    applyStrings();
    return;
  }
  applyStrings();
  connect();
  ui.standingTimer = setInterval(() => { if (ui.joined) fetchStanding(); }, STANDING_POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
