// The citizen's ticket page: live position and call, then the 好差评 rating once the service is done.
// Updates come over a WebSocket keyed by the ticket's token; if that fails the page polls every 3 s.
import { t, addStrings, applyI18n, apiMessage, getLang, setLang, onLangChange } from "/static/i18n.js";

addStrings({
  "lang.switch": ["English", "中文"],
  "ticket.your_number": ["您的排队号", "Your number"],
  "state.waiting": ["排队中", "Waiting"],
  "state.called": ["正在叫您的号", "Your number is called"],
  "state.serving": ["办理中", "Being served"],
  "state.done": ["已办结", "Done"],
  "state.no_show": ["已过号", "Missed"],
  "state.cancelled": ["已取消", "Cancelled"],
  "waiting.ahead": ["前面还有 {n} 人", "{n} ahead of you"],
  "waiting.next": ["下一位就是您", "You are next"],
  "waiting.no_window": ["暂无开放窗口", "No window is open yet"],
  "waiting.no_window_first": ["{zone}的窗口开放后，第一个叫您的号", "You will be called first when a window of your zone opens"],
  "waiting.no_window_ahead": ["{zone}暂无开放窗口，窗口开放后按顺序叫号", "No window of your zone is open now; numbers are called in order once one opens"],
  "waiting.eta": ["预计等候约 {m} 分钟，请留意大厅叫号屏", "About {m} min; please watch the hall's screen"],
  "waiting.eta_soon": ["请留意叫号，及时到窗口办理", "Please listen for your number"],
  "waiting.eta_range": ["预计等候约 {lo}-{hi} 分钟，请留意大厅叫号屏", "About {lo}-{hi} min; please watch the hall's screen"],
  "waiting.eta_none": ["暂无窗口办理此业务，窗口开放后开始叫号", "No window is serving this now; calls start when one opens"],
  "waiting.transferred": ["您的业务已转办，请留意再次叫号", "Your case was transferred; wait to be called again"],
  "called.go": ["请到 {w} 号窗口办理", "Please go to window {w}"],
  "called.detail": ["{time} 叫号，请尽快前往", "Called at {time}; please go now"],
  "serving.at": ["正在 {w} 号窗口办理", "Being served at window {w}"],
  "done.headline": ["业务已办结", "Your business is done"],
  "done.detail": ["感谢您的耐心等候", "Thank you for waiting"],
  "no_show.headline": ["您已过号", "You missed your call"],
  "no_show.detail": ["叫号后未到窗口。如仍需办理，请重新取号或咨询工作人员。", "You did not come to the window. Take a new ticket or ask the staff."],
  "cancelled.headline": ["此号已取消", "This ticket was cancelled"],
  "cancelled.detail": ["如仍需办理，请重新取号。", "Take a new ticket if you still need the service."],
  "rate.title": ["请对本次服务进行评价", "Please rate our service"],
  "rate.hint": ["您的评价将用于改进政务服务（好差评）", "Your rating helps us improve"],
  "rate.reasons_good": ["您满意的方面（可多选，选填）", "What went well (optional)"],
  "rate.reasons_bad": ["您不满意的原因（可多选，选填）", "What went wrong (optional)"],
  "rate.comment": ["其他意见（选填）", "Other comments (optional)"],
  "rate.comment_placeholder": ["请写下您的建议", "Your suggestions"],
  "rate.submit": ["提交评价", "Submit"],
  "rate.sending": ["正在提交…", "Sending…"],
  "rate.offline": ["网络不稳定，评价未提交，请再点一次", "Network problem; not sent yet, please tap again"],
  "thanks.title": ["感谢您的评价！", "Thank you for your rating!"],
  "thanks.yours": ["您的评价：{score}", "Your rating: {score}"],
  "live.on": ["● 实时更新", "● Live"],
  "live.poll": ["● 每 3 秒刷新", "● Refreshing every 3 s"],
  "live.off": ["○ 网络中断，正在重试…", "○ Offline, retrying…"],
  "issued": ["{time} 取号", "Issued {time}"],
  "invalid.title": ["二维码无效或已过期", "This link is invalid or has expired"],
  "invalid.detail": ["请核对小票上的二维码，或重新取号。", "Check the QR code on your ticket, or take a new ticket."],
});

const API = "/api/v1/public";
const POLL_MS = 3000;
const token = decodeURIComponent(location.pathname.split("/t/")[1] || "");
const $ = (id) => document.getElementById(id);

let ticket = null;
let options = null;
let chosen = null;           // the score picked, 1..5
const picked = new Set();    // reason codes picked
let requestId = null;        // kept across a network failure so the retry counts once
let sending = false;
let notice = "";
let lastCallKey = null;

const hhmm = (iso) => (iso ? iso.slice(11, 16) : "");

function labelOf(item) {
  return getLang() === "en" ? item.en : item.zh;
}

function scoreLabel(score) {
  const item = options && options.scores.find((s) => s.score === score);
  return item ? labelOf(item) : String(score);
}

function reasonLabel(code) {
  if (!options) return code;
  const all = [...options.reasons.good, ...options.reasons.bad];
  const item = all.find((r) => r.code === code);
  return item ? labelOf(item) : code;
}

function showInvalid() {
  const page = $("page");
  page.className = "page invalid";
  page.innerHTML = `<div class="invalid-mark" aria-hidden="true">!</div><h1>${t("invalid.title")}</h1><p>${t("invalid.detail")}</p>`;
}

// The hub's estimate: a range when it is uncertain, none when no open window serves the ticket.
function eta(tk) {
  const m = tk.estimated_wait_minutes, r = tk.estimated_wait_range;
  if (m === null) return t("waiting.eta_none");
  if (!(m > 0)) return t("waiting.eta_soon");
  if (r && r[0] > 0 && r[0] < r[1]) return t("waiting.eta_range", { lo: r[0], hi: r[1] });
  return t("waiting.eta", { m });
}

function render() {
  if (!ticket) return;
  const tk = ticket;
  const w = tk.window_id;
  $("page").setAttribute("aria-busy", "false");
  $("page").dataset.state = tk.state;
  $("hall").textContent = tk.hall_name || "";
  $("number").textContent = tk.number;
  $("service").textContent = tk.service_name || "";
  $("zone").textContent = tk.zone_name || "";
  $("issued").textContent = t("issued", { time: hhmm(tk.issued_at) });
  $("state").textContent = t("state." + tk.state);
  let headline = "", detail = "";
  if (tk.state === "waiting") {
    const closed = tk.open_windows === 0;  // no window can call it now: "you are next" would mislead
    const zone = tk.zone_name || "";
    headline = tk.ahead > 0 ? t("waiting.ahead", { n: tk.ahead })
      : closed ? t("waiting.no_window", { zone }) : t("waiting.next");
    detail = closed ? t(tk.ahead > 0 ? "waiting.no_window_ahead" : "waiting.no_window_first", { zone })
      : tk.transferred ? t("waiting.transferred") : eta(tk);
  } else if (tk.state === "called") {
    headline = t("called.go", { w });
    detail = t("called.detail", { time: hhmm(tk.called_at) });
    const key = `${tk.called_at}|${tk.recall_count}`;
    if (key !== lastCallKey && navigator.vibrate) navigator.vibrate([300, 120, 300]);
    lastCallKey = key;
  } else if (tk.state === "serving") {
    headline = t("serving.at", { w });
  } else {
    headline = t(tk.state + ".headline");
    detail = t(tk.state + ".detail");
  }
  $("headline").textContent = headline;
  $("detail").textContent = detail;
  document.title = `${tk.number} · ${t("state." + tk.state)}`;

  const done = tk.state === "done";
  const rated = done && !!tk.evaluation;
  $("rate").hidden = !done || rated || !options;
  $("thanks").hidden = !rated;
  if (rated) {
    const reasons = (tk.evaluation.reasons || []).map(reasonLabel).join("、");
    $("thanks-detail").textContent = notice || t("thanks.yours", { score: scoreLabel(tk.evaluation.score) }) + (reasons ? ` · ${reasons}` : "");
  }
}

function renderScores() {
  const box = $("scores");
  box.innerHTML = "";
  for (const s of options.scores) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "score" + (s.bad ? " bad" : "") + (chosen === s.score ? " on" : "");
    b.setAttribute("role", "radio");
    b.setAttribute("aria-checked", String(chosen === s.score));
    b.dataset.score = s.score;
    b.innerHTML = `<span class="stars" aria-hidden="true">${"★".repeat(s.score)}${"☆".repeat(5 - s.score)}</span><span class="word"></span>`;
    b.querySelector(".word").textContent = labelOf(s);
    b.addEventListener("click", () => pickScore(s.score));
    box.appendChild(b);
  }
  renderReasons();
}

function renderReasons() {
  if (chosen === null) { $("reasons").hidden = true; return; }
  const bad = chosen <= options.bad_score_max;
  $("reasons").hidden = false;
  $("reasons-hint").textContent = t(bad ? "rate.reasons_bad" : "rate.reasons_good");
  const chips = $("chips");
  chips.innerHTML = "";
  for (const r of options.reasons[bad ? "bad" : "good"]) {
    const c = document.createElement("button");
    c.type = "button";
    c.className = "chip" + (picked.has(r.code) ? " on" : "");
    c.setAttribute("aria-pressed", String(picked.has(r.code)));
    c.dataset.code = r.code;
    c.textContent = labelOf(r);
    c.addEventListener("click", () => {
      picked.has(r.code) ? picked.delete(r.code) : picked.add(r.code);
      renderReasons();
    });
    chips.appendChild(c);
  }
  $("submit").textContent = t(sending ? "rate.sending" : "rate.submit");
  $("submit").disabled = sending;
}

function pickScore(score) {
  const wasBad = chosen !== null && chosen <= options.bad_score_max;
  const isBad = score <= options.bad_score_max;
  if (chosen === null || wasBad !== isBad) picked.clear();  // reasons of the other kind no longer apply
  chosen = score;
  renderScores();
}

function showError(text) {
  $("rate-error").hidden = !text;
  $("rate-error").textContent = text || "";
}

async function submit() {
  if (sending || chosen === null) return;
  sending = true;
  showError("");
  renderReasons();
  requestId = requestId || (crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") : String(Date.now()) + Math.random().toString(16).slice(2));
  const body = { request_id: requestId, score: chosen, reasons: [...picked], comment: $("comment").value.trim() };
  try {
    const res = await fetch(`${API}/tickets/${encodeURIComponent(token)}/evaluation`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    requestId = null;  // the hub answered: a new tap is a new request
    if (res.ok) {
      ticket = { ...ticket, evaluation: data.ticket.evaluation };
    } else if (data.code === "EVALUATION_EXISTS") {
      notice = apiMessage(data);
      await refresh();
      if (!ticket.evaluation) ticket = { ...ticket, evaluation: { score: 0, reasons: [] } };
    } else if (data.code === "TOKEN_INVALID") {
      showInvalid();
      return;
    } else {
      showError(apiMessage(data) || t("rate.offline"));
    }
  } catch (e) {
    showError(t("rate.offline"));
  } finally {
    sending = false;
  }
  render();
  if (!$("rate").hidden) renderReasons();
}

async function refresh() {
  try {
    const res = await fetch(`${API}/tickets/${encodeURIComponent(token)}`, { cache: "no-store" });
    if (res.status === 404) { showInvalid(); stopAll(); return false; }
    if (!res.ok) return false;
    ticket = (await res.json()).ticket;
    render();
    return true;
  } catch (e) {
    return false;
  }
}

// ---- live updates: WebSocket first, polling while it is down ------------------------------
let socket = null;
let pollTimer = null;
let retryTimer = null;
let retryDelay = 2000;
let stopped = false;

function setLive(key) {
  $("live").textContent = t(key);
  $("live").dataset.mode = key;
}

function startPolling() {
  if (pollTimer || stopped) return;
  pollTimer = setInterval(async () => {
    setLive((await refresh()) ? "live.poll" : "live.off");
  }, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

function stopAll() {
  stopped = true;
  stopPolling();
  clearTimeout(retryTimer);
  if (socket) socket.close();
}

function connect() {
  if (stopped) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let opened = false;
  try {
    socket = new WebSocket(`${scheme}://${location.host}${API}/tickets/${encodeURIComponent(token)}/live`);
  } catch (e) {
    startPolling();
    return;
  }
  socket.onopen = () => { opened = true; retryDelay = 2000; stopPolling(); setLive("live.on"); };
  socket.onmessage = (msg) => {
    const data = JSON.parse(msg.data);
    if (data && data.ticket) { ticket = data.ticket; render(); }
  };
  socket.onclose = (ev) => {
    socket = null;
    if (stopped) return;
    if (ev.code === 4404) { showInvalid(); stopAll(); return; }
    setLive(opened ? "live.off" : "live.poll");
    startPolling();
    retryTimer = setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  };
}

async function loadOptions() {
  try {
    const res = await fetch(`${API}/evaluation-options`);
    if (res.ok) options = await res.json();
  } catch (e) { /* rating appears once the options load on a later refresh */ }
  if (options) renderScores();
}

function applyLang() {
  applyI18n();
  $("lang").textContent = t("lang.switch");
  if (options) renderScores();
  if ($("live").dataset.mode) setLive($("live").dataset.mode);
  render();
}

$("lang").addEventListener("click", () => setLang(getLang() === "zh" ? "en" : "zh"));
$("submit").addEventListener("click", submit);
onLangChange(applyLang);
applyLang();

(async () => {
  await loadOptions();
  if (await refresh()) connect();
  else if (!stopped) { setLive("live.off"); startPolling(); }
})();
