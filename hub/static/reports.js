// The manager's reports page: figures for a day or a range, two SVG charts, downloads, and the
// follow-up of 差评. Uses the console's session (sign-in) and its API helpers.
import { t, addStrings, applyI18n, getLang, setLang, onLangChange } from "/static/i18n.js";
import { api, ApiError, el, setToken, toast, token } from "/static/console-api.js";

addStrings({
  "lang.switch": ["English", "中文"],
  "rep.title": ["统计报表", "Reports"],
  "rep.back": ["返回管理台", "Back to console"],
  "rep.signin": ["请先登录管理台", "Please sign in"],
  "rep.user": ["用户名", "User name"],
  "rep.password": ["密码", "Password"],
  "rep.signin_go": ["登录", "Sign in"],
  "rep.from": ["从", "From"],
  "rep.to": ["至", "to"],
  "rep.today": ["今天", "Today"],
  "rep.week": ["近 7 天", "Last 7 days"],
  "rep.month": ["近 30 天", "Last 30 days"],
  "rep.run": ["查询", "Show"],
  "rep.csv": ["导出 CSV", "Download CSV"],
  "rep.xlsx": ["导出 Excel", "Download Excel"],
  "rep.downloaded": ["已下载 {name}", "Downloaded {name}"],
  "rep.chart_tickets": ["各时段取号量", "Tickets issued per hour"],
  "rep.chart_wait": ["各时段平均等候（分钟）", "Mean wait by hour (minutes)"],
  "rep.no_data": ["所选日期没有数据", "No tickets in these days"],
  "rep.evaluations": ["好差评", "Ratings"],
  "rep.punctuality": ["预约守时", "Appointment punctuality"],
  "rep.followups": ["评价与差评跟进", "Ratings and follow-up of poor ratings"],
  "rep.only_bad": ["只看差评", "Poor ratings only"],
  "rep.all_states": ["全部状态", "All states"],
  "rep.definitions": ["指标口径", "What the figures mean"],
  "k.calls": ["叫号", "Calls"], "k.no_show_presses": ["过号次数", "No-show presses"], "k.day_end": ["日终作废", "Left at day end"],
  "k.open": ["未办结", "Still open"],
  "c.calls": ["叫号", "Calls"], "c.services": ["接待", "Served"], "c.no_show_presses": ["过号次数", "No-show presses"],
  "c.day_end": ["日终作废", "Day end"], "c.visit_wait_mean": ["叫号前等候", "Wait before call"], "c.recalls": ["重呼", "Recalls"],
  "c.cancelled": ["取消", "Cancelled"], "c.open": ["未办结", "Open"],
  "p.after_slot": ["其中宽限内", "Of which in the grace"],
  "k.tickets": ["取号", "Tickets"], "k.done": ["办结", "Done"], "k.no_show": ["过号作废", "No-show lapses"],
  "k.transfers": ["转办", "Transfers"], "k.wait_mean": ["平均等候", "Mean wait"],
  "k.wait_median": ["等候中位数", "Median wait"], "k.wait_p90": ["等候 P90", "P90 wait"],
  "k.service_mean": ["平均办理", "Mean service"], "k.satisfaction": ["满意率", "Satisfaction"],
  "u.min": ["分", "min"],
  "b.by_zone": ["按区域", "Zones"], "b.by_service": ["按事项", "Services"], "b.by_window": ["按窗口", "Windows"],
  "b.by_clerk": ["按工作人员", "Clerks"], "b.by_day": ["按日期", "Days"],
  "c.name": ["名称", "Name"], "c.tickets": ["取号", "Tickets"], "c.done": ["办结", "Done"],
  "c.no_show": ["过号作废", "Lapsed"], "c.transfers": ["转办", "Transfers"], "c.wait_mean": ["平均等候", "Mean wait"],
  "c.wait_median": ["中位数", "Median"], "c.wait_p90": ["P90", "P90"], "c.service_mean": ["平均办理", "Mean service"],
  "c.evaluations": ["评价", "Ratings"], "c.satisfaction": ["满意率", "Satisfied"],
  "p.appointments": ["预约签到", "Checked in"], "p.on_time": ["准时（本厅签到时间内）", "On time (hall's window)"],
  "p.early": ["提前", "Early"], "p.late": ["迟到", "Late"], "p.rate": ["准时率", "On-time rate"],
  "e.count": ["共 {n} 条评价", "{n} ratings"], "e.satisfaction": ["满意率 {p}", "{p} satisfied"],
  "e.bad": ["差评 {n} 条", "{n} poor"],
  "f.time": ["时间", "Time"], "f.ticket": ["号码", "Number"], "f.service": ["事项", "Service"],
  "f.window": ["窗口 / 人员", "Window / clerk"], "f.score": ["评价", "Rating"], "f.reasons": ["原因与意见", "Reasons and comment"],
  "f.state": ["跟进状态", "Follow-up"], "f.note": ["处理说明", "Note"], "f.save": ["保存", "Save"],
  "f.saved": ["{number} 号跟进已保存", "Follow-up of {number} saved"], "f.empty": ["没有符合条件的评价", "No ratings match"],
  "f.note_placeholder": ["如：已电话回访，已约谈窗口人员", "e.g. called the citizen back"],
  "s.open": ["待处理", "Open"], "s.handled": ["已处理", "Handled"], "s.rectified": ["已整改", "Rectified"],
  "score.5": ["非常满意", "Very satisfied"], "score.4": ["满意", "Satisfied"], "score.3": ["基本满意", "Fairly satisfied"],
  "score.2": ["不满意", "Dissatisfied"], "score.1": ["非常不满意", "Very dissatisfied"],
});

const $ = (id) => document.getElementById(id);
const BREAKDOWNS = ["by_zone", "by_service", "by_window", "by_clerk", "by_day"];
const COLUMNS = ["tickets", "calls", "done", "no_show_presses", "no_show", "day_end", "open", "transfers", "wait_mean",
                 "wait_median", "wait_p90", "service_mean", "evaluations", "satisfaction"];
// Windows and clerks count every call made there (a transferred ticket counts at each window).
const DESK_COLUMNS = ["calls", "services", "done", "transfers", "no_show_presses", "no_show", "visit_wait_mean",
                      "service_mean", "evaluations", "satisfaction"];
const DESKS = new Set(["by_window", "by_clerk"]);
const STATES = ["open", "handled", "rectified"];
let report = null;
let items = [];
let tab = "by_zone";
let hubToday = null;  // the hall's business day (the hub's clock), learnt from the first report

const fmt = (v, suffix = "") => (v === null || v === undefined ? "–" : `${v}${suffix}`);

let mayFollowUp = true;  // a viewer reads ratings; a supervisor or admin records follow-ups

function isoDay(d) {
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

function setRange(days) {
  const end = hubToday ? new Date(hubToday + "T12:00:00") : new Date();
  const start = new Date(end.getTime() - days * 86400000);
  $("from").value = isoDay(start);
  $("to").value = isoDay(end);
}

function query() {
  const p = new URLSearchParams();
  if ($("from").value) p.set("from", $("from").value);
  if ($("to").value) p.set("to", $("to").value);
  return p.toString();
}

function showError(err) {
  $("error").hidden = !err;
  $("error").textContent = err ? (err.text || String(err)) : "";
}

// ---- charts (inline SVG, no library) -----------------------------------------------------
function barChart(points, { color = "#1456b8", unit = "" } = {}) {
  const W = 660, H = 230, left = 40, bottom = 28, top = 16, right = 8;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("role", "img");
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.appendChild(n);
    return n;
  };
  if (!points.length) {
    add("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#5b6474", "font-size": 15 }, t("rep.no_data"));
    return svg;
  }
  const max = Math.max(1, ...points.map((p) => p.value || 0));
  // Grid lines at 1, 2 or 5 times a power of ten, four or five of them.
  const raw = max / 4, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const tick = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw);
  const lines = Math.ceil(max / tick), nice = lines * tick;
  const plotH = H - top - bottom, plotW = W - left - right;
  for (let i = 0; i <= lines; i++) {
    const v = tick * i, y = top + plotH - (plotH * i) / lines;
    add("line", { x1: left, x2: W - right, y1: y, y2: y, stroke: "#dde3ec" });
    add("text", { x: left - 6, y: y + 4, "text-anchor": "end", fill: "#5b6474", "font-size": 11 },
        Number.isInteger(v) ? v : v.toFixed(1));
  }
  const slot = plotW / points.length, bw = Math.min(44, slot * 0.7);
  points.forEach((p, i) => {
    const x = left + slot * i + (slot - bw) / 2;
    const h = ((p.value || 0) / nice) * plotH;
    const bar = add("rect", { x, y: top + plotH - h, width: bw, height: h, rx: 3, fill: color });
    bar.appendChild(document.createElementNS(ns, "title")).textContent = `${p.label}: ${fmt(p.value, unit)}`;
    if (p.value) add("text", { x: x + bw / 2, y: top + plotH - h - 4, "text-anchor": "middle", "font-size": 11, fill: "#1d2330" }, p.value);
    add("text", { x: x + bw / 2, y: H - 9, "text-anchor": "middle", "font-size": 11, fill: "#5b6474" }, p.label);
  });
  return svg;
}

// ---- rendering ---------------------------------------------------------------------------
// A figure's definition (from the hub, in the page's language), shown as its tooltip and in the footnotes.
function define(key) {
  const d = report && report.definitions && report.definitions[key];
  return d ? (getLang() === "en" ? d.en : d.zh) : "";
}

function renderCards() {
  const s = report.summary;
  const cards = [["tickets", s.tickets], ["calls", s.calls], ["done", s.done], ["no_show_presses", s.no_show_presses],
    ["no_show", s.no_show], ["day_end", s.day_end], ["open", s.open], ["transfers", s.transfers],
    ["wait_mean", s.wait_mean, "u.min"], ["wait_median", s.wait_median, "u.min"], ["wait_p90", s.wait_p90, "u.min"],
    ["service_mean", s.service_mean, "u.min"], ["satisfaction", s.satisfaction, "%"]];
  $("cards").replaceChildren(...cards.map(([k, v, unit]) => el("div", { class: "card kpi", title: define(k), dataset: { key: k } },
    el("div", { class: "k" }, t("k." + k)),
    el("div", { class: "v" }, fmt(v), v === null || !unit ? null : el("span", { class: "u" }, unit === "%" ? "%" : t(unit))))));
}

function renderCharts() {
  const hours = report.by_hour.map((h) => ({ label: `${String(h.hour).padStart(2, "0")}:00`, value: h.tickets }));
  const waits = report.by_hour.map((h) => ({ label: `${String(h.hour).padStart(2, "0")}:00`, value: h.wait_mean }));
  $("chart-tickets").replaceChildren(barChart(hours));
  $("chart-wait").replaceChildren(barChart(waits, { color: "#e08a00", unit: t("u.min") }));
}

function renderBreakdown() {
  $("tabs").replaceChildren(...BREAKDOWNS.map((b) => el("button", {
    type: "button", class: b === tab ? "on" : "", onclick: () => { tab = b; renderBreakdown(); },
  }, t("b." + b))));
  const rows = report[tab];
  const columns = DESKS.has(tab) ? DESK_COLUMNS : COLUMNS;
  const table = el("table", { id: "breakdown-table" },
    el("thead", {}, el("tr", {}, el("th", {}, t("c.name")),
      ...columns.map((c) => el("th", { title: define(c), dataset: { key: c } }, t("c." + c))))),
    el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, el("td", {}, r.name),
      ...columns.map((c) => el("td", {}, fmt(r[c], c === "satisfaction" && r[c] !== null ? "%" : ""))))) :
      el("tr", {}, el("td", { colspan: columns.length + 1, class: "empty" }, t("rep.no_data")))));
  $("breakdown").replaceChildren(table);
}

function renderEvaluations() {
  const e = report.evaluations;
  const max = Math.max(1, ...Object.values(e.per_score));
  const bars = ["5", "4", "3", "2", "1"].map((s) => el("div", { class: "hbar" + (Number(s) <= 2 ? " bad" : "") },
    el("span", {}, t("score." + s)),
    el("div", { class: "track" }, el("div", { class: "fill", style: `width:${(100 * e.per_score[s]) / max}%` })),
    el("span", { class: "n" }, e.per_score[s])));
  $("evals").replaceChildren(
    el("div", { class: "big" }, e.satisfaction === null ? "–" : t("e.satisfaction", { p: e.satisfaction + "%" })),
    el("div", { class: "muted" }, t("e.count", { n: e.count }), " · ", t("e.bad", { n: e.bad })), ...bars);
}

function renderPunctuality() {
  const p = report.punctuality;
  const row = (k, v, key) => el("tr", { title: define(key), dataset: { key } }, el("td", {}, t(k)), el("td", {}, fmt(v)));
  $("punct").replaceChildren(el("table", {}, el("tbody", {}, row("p.appointments", p.appointments, "appointments"),
    row("p.on_time", p.on_time, "on_time"), row("p.after_slot", p.after_slot, "after_slot"),
    row("p.early", p.early, "early"), row("p.late", p.late, "late"),
    row("p.rate", p.on_time_rate === null ? null : p.on_time_rate + "%", "on_time_rate"))));
}

// Footnotes: every figure on the page with what it means (the same text as the exports' 指标口径 sheet).
function renderDefinitions() {
  const keys = ["k.tickets", "k.calls", "c.services", "k.done", "k.no_show_presses", "k.no_show", "c.cancelled",
    "k.day_end", "k.open", "k.transfers", "k.wait_mean", "k.wait_p90", "c.visit_wait_mean", "k.service_mean", "k.satisfaction",
    "p.on_time", "p.after_slot", "p.early", "p.late"];
  $("definitions").replaceChildren(el("h2", {}, t("rep.definitions")), el("dl", {},
    ...keys.flatMap((name) => {
      const k = name.slice(2);
      return [el("dt", { dataset: { key: k } }, t(name)), el("dd", { dataset: { key: k } }, define(k))];
    })));
}

function renderFollowups() {
  const select = $("state-filter");
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, t("rep.all_states")),
    ...STATES.map((s) => el("option", { value: s }, t("s." + s))));
  select.value = current;
  if (!items.length) {
    $("eval-list").replaceChildren(el("p", { class: "empty" }, t("f.empty")));
    return;
  }
  const en = getLang() === "en";
  const rows = items.map((it) => {
    const state = el("select", { class: "state" }, ...STATES.map((s) => el("option", { value: s }, t("s." + s))));
    state.value = it.followup.state;
    const note = el("input", { class: "note", value: it.followup.note || "", maxlength: 500, placeholder: t("f.note_placeholder") });
    const save = el("button", { class: "btn primary", type: "button", onclick: () => saveFollowup(it, state.value, note.value, save) }, t("f.save"));
    state.disabled = note.disabled = !mayFollowUp;
    save.hidden = !mayFollowUp;
    const reasons = (en ? it.reason_labels_en : it.reason_labels).map((r) => el("span", { class: "chip" }, r));
    return el("tr", { dataset: { ticket: it.ticket_id, number: it.number } },
      el("td", {}, `${it.day} ${(it.at || "").slice(11, 16)}`),
      el("td", {}, it.number),
      el("td", {}, it.service),
      el("td", {}, `${it.window || "–"} / ${it.clerk || "–"}`),
      el("td", { class: it.bad ? "score-bad" : "" }, en ? it.score_label_en : it.score_label),
      el("td", { style: "white-space:normal;text-align:left" }, ...reasons, it.comment ? el("div", { class: "muted" }, it.comment) : null),
      el("td", { class: "state-" + it.followup.state }, t("s." + it.followup.state)),
      el("td", { style: "text-align:left" }, state),
      el("td", {}, note),
      el("td", {}, save));
  });
  const heads = ["f.time", "f.ticket", "f.service", "f.window", "f.score", "f.reasons", "f.state", "", "f.note", ""];
  $("eval-list").replaceChildren(el("table", { id: "followup-table" },
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, h ? t(h) : "")))), el("tbody", {}, rows)));
}

function renderAll() {
  if (!report) return;
  renderCards();
  renderCharts();
  renderBreakdown();
  renderEvaluations();
  renderPunctuality();
  renderDefinitions();
  renderFollowups();
}

// ---- data ----------------------------------------------------------------------------------
async function load() {
  showError(null);
  try {
    const first = !hubToday;
    report = await api("GET", `/console/reports?${first ? "" : query()}`);
    if (first) hubToday = report.to;
    $("from").value = report.from;
    $("to").value = report.to;
    await loadEvaluations();
    renderAll();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn();
    showError(err);
  }
}

async function loadEvaluations() {
  const p = new URLSearchParams(query());
  if ($("only-bad").checked) p.set("bad", "1");
  if ($("state-filter").value) p.set("state", $("state-filter").value);
  items = (await api("GET", `/console/evaluations?${p}`)).evaluations;
}

async function saveFollowup(item, state, note, button) {
  button.disabled = true;
  try {
    await api("PUT", `/console/evaluations/${item.ticket_id}`, { state, note });
    toast(t("f.saved", { number: item.number }));
    await loadEvaluations();
    renderFollowups();
  } catch (err) {
    toast(err.text || String(err), "error");
  } finally {
    button.disabled = false;
  }
}

async function download(ext) {
  try {
    const res = await fetch(`/api/v1/console/reports.${ext}?${query()}&lang=${getLang()}`,
      { headers: { Authorization: `Bearer ${token()}` } });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    const blob = await res.blob();
    const name = (res.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/)?.[1] || `report.${ext}`;
    const a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    toast(t("rep.downloaded", { name }));
  } catch (err) {
    toast(err.text || String(err), "error");
  }
}

function signIn() {
  $("main").hidden = true;
  $("login").hidden = false;
  $("user").focus();
}

async function doSignIn() {
  $("login-error").textContent = "";
  try {
    const r = await api("POST", "/console/login", { user: $("user").value.trim(), password: $("password").value });
    setToken(r.token);
    $("login").hidden = true;
    $("main").hidden = false;
    await start();
  } catch (err) {
    $("login-error").textContent = err.text || String(err);
  }
}

async function start() {
  try {
    mayFollowUp = (await api("GET", "/console/session")).role !== "viewer";
    const hall = await api("GET", "/hall");
    $("hall-name").textContent = getLang() === "en" && hall.hall.name_en ? hall.hall.name_en : hall.hall.name;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn();
  }
  $("main").hidden = false;
  await load();
}

function applyLang() {
  applyI18n();
  $("lang").textContent = t("lang.switch");
  renderAll();
}

$("lang").addEventListener("click", () => setLang(getLang() === "zh" ? "en" : "zh"));
$("run").addEventListener("click", load);
$("csv").addEventListener("click", () => download("csv"));
$("xlsx").addEventListener("click", () => download("xlsx"));
$("signin").addEventListener("click", doSignIn);
$("password").addEventListener("keydown", (e) => { if (e.key === "Enter") doSignIn(); });
$("only-bad").addEventListener("change", async () => { await loadEvaluations(); renderFollowups(); });
$("state-filter").addEventListener("change", async () => { await loadEvaluations(); renderFollowups(); });
document.querySelectorAll("[data-days]").forEach((b) => b.addEventListener("click", () => {
  setRange(Number(b.dataset.days));
  load();
}));
onLangChange(applyLang);
applyLang();

// A session token may also arrive once in the URL (#token=...), e.g. from a script; it is not kept there.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) { setToken(fromHash); history.replaceState(null, "", location.pathname + location.search); }
if (token()) start(); else signIn();
