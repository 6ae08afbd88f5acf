// The hall manager's console: sign-in by name, the live hall, devices and pairing, accounts, audit log.
// What a role cannot do is hidden here and refused by the hub (403) anyway.
import { applyI18n, getLang, nameOf, onLangChange, setLang, t } from "/static/i18n.js";
import "/static/console-strings.js";
import { api, ApiError, el, hhmm, minutesBetween, requestId, setToken, toast, token, whenSignedOut } from "/static/console-api.js";
import { renderConfig } from "/static/console-config.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["dashboard", "devices", "config", "users", "audit"];
const RANK = { viewer: 0, supervisor: 1, admin: 2 };
const state = { overview: null, devices: null, socket: null, seq: null, refreshTimer: null, pollTimer: null, me: null };

function can(needed) {
  return state.me !== null && RANK[state.me.role] >= RANK[needed];
}

function applyRole() {
  document.querySelectorAll("[data-needs]").forEach((node) => { node.hidden = !can(node.dataset.needs); });
  $("me").textContent = state.me ? t("me.label", { name: state.me.user, role: t(`urole.${state.me.role}`) }) : "";
}

// ---- sign-in ----------------------------------------------------------------------------------
function showLogin(expired = false) {
  stopLive();
  $("app").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = expired ? t("login.expired") : "";
  $("password").value = "";
  ($("user").value ? $("password") : $("user")).focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const button = $("login-button");
  button.disabled = true;
  button.textContent = t("login.busy");
  $("login-error").textContent = "";
  try {
    const result = await api("POST", "/console/login", { user: $("user").value.trim(), password: $("password").value });
    setToken(result.token);
    state.me = { user: result.user.name, role: result.user.role };
    $("login-view").hidden = true;
    start();
  } catch (e) {
    $("login-error").textContent = e instanceof ApiError ? e.text : String(e);
    $("password").select();
  } finally {
    button.disabled = false;
    button.textContent = t("login.submit");
  }
}

async function logout() {
  try { await api("POST", "/console/logout", {}); } catch (e) { /* signing out anyway */ }
  setToken(null);
  state.me = null;
  showLogin();
}

// ---- shell ----------------------------------------------------------------------------------
function currentView() {
  const name = location.hash.replace("#", "");
  return VIEWS.includes(name) ? name : "dashboard";
}

function showView() {
  let name = currentView();
  const link = document.querySelector(`nav a[data-view=${name}]`);
  if (link && link.dataset.needs && !can(link.dataset.needs)) name = "dashboard";
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === name));
  if (name === "devices") loadDevices();
  if (name === "config") renderConfig($("view-config"));
  if (name === "audit") loadAudit();
  if (name === "users") loadUsers();
}

async function start() {
  try {
    state.me = await api("GET", "/console/session");
  } catch (e) {
    if (e.status !== 401) toast(e.text || String(e), "error");
    return;
  }
  applyRole();
  $("app").hidden = false;
  showView();
  refresh();
  connectLive();
  state.pollTimer = setInterval(refresh, 15000);  // waits grow and devices come and go without events
}

// ---- live data ------------------------------------------------------------------------------
function connectLive() {
  if (!token()) return;
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const since = state.seq === null ? -1 : state.seq;
  const socket = new WebSocket(`${proto}://${location.host}/api/v1/events?token=${encodeURIComponent(token())}&since=${since}`);
  state.socket = socket;
  socket.onopen = () => setLive(true);
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "live") return;
    if (event.seq) state.seq = event.seq;
    if (event.type === "hall.changed" && currentView() === "config") renderConfig($("view-config"));
    scheduleRefresh();
  };
  socket.onclose = (e) => {
    setLive(false);
    if (state.socket !== socket) return;
    state.socket = null;
    if (e.code === 4401) { setToken(null); showLogin(true); return; }
    setTimeout(() => { if (token() && !state.socket) connectLive(); }, 2000);
  };
}

function stopLive() {
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
  clearInterval(state.pollTimer);
}

function setLive(on) {
  const badge = $("live-status");
  badge.className = on ? "live on" : "live off";
  badge.textContent = on ? t("live.on") : t("live.off");
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, 150);
}

async function refresh() {
  if (!token()) return;
  try {
    const overview = await api("GET", "/console/overview");
    state.overview = overview;
    if (state.seq === null || overview.snapshot.seq > state.seq) state.seq = overview.snapshot.seq;
    renderDashboard();
    if (currentView() === "devices") loadDevices();
  } catch (e) {
    if (e.status !== 401) toast(e.text || String(e), "error");
  }
}

// ---- dashboard ------------------------------------------------------------------------------
function faultText(code) {
  const key = `fault.${code}`;
  return t(key) === key ? code : t(key);
}

function alertText(a) {
  const zone = nameOf({ name: a.zone_name, name_en: a.zone_name_en });
  if (a.kind === "no_window") return t("alert.no_window", { zone, n: a.waiting });
  if (a.kind === "stranded") {
    const service = nameOf({ name: a.service_name, name_en: a.service_name_en });
    return t(a.to_window ? "alert.stranded_window" : "alert.stranded",
      { service, window: a.to_window, n: a.count, tickets: a.tickets.map((x) => x.number).join("、") });
  }
  if (a.kind === "long_wait") return t("alert.long_wait", { zone, count: a.count, threshold: a.threshold, number: a.number, longest: a.longest });
  if (a.kind === "device_fault") return t("alert.device_fault", { device: a.device, fault: faultText(a.fault) });
  if (a.kind === "device_offline") return t("alert.device_offline", { device: a.device, time: hhmm(a.last_seen) });
  return a.kind;
}

function windowView(w, tickets, now) {
  const current = w.current_ticket;
  if (w.state === "closed") return { cls: "closed", label: t("win.closed"), main: "", sub: "" };
  if (w.state === "paused") {
    return { cls: "paused", label: t("win.paused"), main: w.pause_reason || "", sub: t("win.for", { n: minutesBetween(w.since, now) }) };
  }
  if (current && (current.state === "called" || current.state === "serving")) {
    const since = current.state === "serving" ? current.serving_at : current.called_at;
    // Called out of turn: the console says why (hub.core.queue CALL_REASONS).
    const why = current.call_reason ? t(`call.${current.call_reason}`) : "";
    return { cls: "serving", label: t(current.state === "serving" ? "win.serving" : "win.called"), main: current.number,
      sub: [t("win.for", { n: minutesBetween(since, now) }), why].filter(Boolean).join(" · ") };
  }
  return { cls: "open", label: t("win.open"), main: "", sub: "" };
}

function renderDashboard() {
  const o = state.overview;
  if (!o) return;
  const s = o.snapshot;
  $("hall-name").textContent = nameOf(s.hall);
  $("hall-name").title = nameOf(s.hall);
  // Alerts first: what needs the manager now.
  const alerts = $("alerts");
  alerts.replaceChildren(...(o.alerts.length
    ? o.alerts.map((a) => el("div", { class: `alert ${a.kind}`, role: "alert", dataset: { kind: a.kind, zone: a.zone_id || "", service: a.service_id || "" } },
      el("span", { class: "alert-icon" }, a.kind === "device_offline" ? "⚠" : "!"), alertText(a),
      a.kind === "stranded" && can("supervisor") ? moveControl(a) : null))
    : [el("div", { class: "all-clear" }, "✓ ", t("dash.alerts_ok"))]));

  const waiting = s.zones.reduce((n, z) => n + z.waiting, 0);
  const inService = s.tickets.filter((x) => x.state === "called" || x.state === "serving").length;
  const open = s.windows.filter((w) => w.state === "open").length;
  const longest = Math.max(0, ...s.zones.map((z) => z.longest_wait_minutes));
  const served = s.windows.reduce((n, w) => n + (w.served_today || 0), 0);
  $("summary").replaceChildren(
    stat(t("dash.waiting"), waiting, "waiting", "total-waiting"),
    stat(t("dash.in_service"), inService, "serving"),
    stat(t("dash.open_windows"), `${open}/${s.windows.length}`, "open"),
    stat(t("dash.longest"), t("common.minutes", { n: longest }), longest >= o.alert_minutes ? "late" : ""),
    stat(t("dash.served"), served, ""),
  );
  $("updated").textContent = t("dash.updated", { time: hhmm(s.now) });

  $("zones").replaceChildren(...s.zones.map((z) => {
    const late = z.longest_wait_minutes >= o.alert_minutes;
    const stranded = z.waiting > 0 && z.open_windows === 0;
    return el("article", { class: `zone-card${late ? " late" : ""}${stranded ? " stranded" : ""}${z.open ? "" : " shut"}`, dataset: { zone: z.id } },
      el("header", {}, el("span", { class: "prefix" }, z.prefix), el("span", { class: "zone-name", title: nameOf(z) }, nameOf(z)),
        el("span", { class: `chip ${z.open ? "chip-open" : "chip-closed"}` }, t(z.open ? "dash.zone_open" : "dash.zone_closed"))),
      el("div", { class: "zone-count" }, el("b", { class: "zone-waiting" }, z.waiting), el("span", {}, t("dash.zone_waiting"))),
      el("footer", {}, el("span", { class: late ? "warn" : "" }, t("dash.zone_longest", { n: z.longest_wait_minutes })),
        el("span", { class: stranded ? "warn" : "" }, t("dash.zone_windows", { n: z.open_windows }))));
  }));

  $("windows").replaceChildren(...s.windows.map((w) => {
    const v = windowView(w, s.tickets, s.now);
    return el("div", { class: `win ${v.cls}`, dataset: { window: w.id, state: v.cls }, title: nameOf(w) },
      el("div", { class: "win-top" }, el("b", {}, w.id), el("span", { class: "win-state" }, v.label)),
      el("div", { class: "win-name" }, nameOf(w)),
      el("div", { class: "win-main" }, v.main),
      el("div", { class: "win-sub" }, [w.clerk_name, v.sub].filter(Boolean).join(" · ")));
  }));

  const devices = o.devices.filter((d) => !d.revoked_at && !d.session);
  $("dash-devices").replaceChildren(...(devices.length ? devices.map((d) => el("div", { class: `dev-pill ${d.online ? "on" : "off"}${d.fault ? " fault" : ""}` },
    el("i", {}), d.name, el("small", {}, t(`role.${d.role}`)), d.fault ? el("em", {}, faultText(d.fault)) : null)) : [el("span", { class: "muted" }, t("common.none"))]));

  const locked = o.locked_clerks || [];
  $("locked-box").hidden = locked.length === 0;
  $("locked-clerks").replaceChildren(...locked.map((c) => el("li", { dataset: { clerk: c.clerk_id } },
    el("b", {}, `${c.name} (${c.clerk_id})`), " ", el("span", { class: "muted" }, t("lock.since", { time: hhmm(c.locked_at) })), " ",
    can("supervisor") ? el("button", { class: "small", onclick: () => unlockClerk(c) }, t("lock.unlock")) : null)));

  const notice = $("notice-text");
  if (document.activeElement !== notice && !notice.dataset.dirty) notice.value = s.notice || "";
}

// Stranded tickets go, in one action, to the own line (keeping their places) of a window that serves
// their service: open ones first; a closed one is offered marked, for a clerk about to sign in there.
function moveControl(a) {
  const targets = a.targets || [];
  if (!targets.length) return el("span", { class: "muted move-none" }, " ", t("move.none_serves"));
  const pick = el("select", { class: "move-target", "aria-label": t("move.to") },
    ...targets.map((w) => el("option", { value: w.id }, `${w.id} ${nameOf(w)}${w.open ? "" : t("move.closed_mark")}`)));
  return el("span", { class: "move" }, " ", pick, " ",
    el("button", { class: "small move-button", onclick: () => moveTickets(a, Number(pick.value)) }, t("move.button")),
    targets.some((w) => w.open) ? null : el("span", { class: "muted move-none" }, " ", t("move.none_open")));
}

async function moveTickets(a, window) {
  try {
    const answer = await api("POST", "/console/tickets/move", { ticket_ids: a.tickets.map((x) => x.id), to_window: window });
    toast(t("move.done", { tickets: answer.tickets.join("、"), window }));
    refresh();
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

function stat(label, value, cls, id) {
  return el("div", { class: `stat ${cls}` }, el("div", { class: "stat-value", id }, value), el("div", { class: "stat-label" }, label));
}

async function publishNotice(event) {
  event.preventDefault();
  try {
    await api("POST", "/console/notice", { notice: $("notice-text").value });
    delete $("notice-text").dataset.dirty;
    toast(t("dash.notice_saved"));
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

async function unlockClerk(c) {
  try {
    const answer = await api("POST", `/console/clerks/${encodeURIComponent(c.clerk_id)}/unlock`, {});
    state.overview.locked_clerks = answer.locked_clerks;
    renderDashboard();
    toast(t("lock.unlocked", { name: c.name }));
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

// ---- accounts -------------------------------------------------------------------------------
async function loadUsers() {
  let users;
  try {
    users = (await api("GET", "/console/users")).users;
  } catch (e) {
    return;
  }
  $("user-rows").replaceChildren(...users.map((u) => el("tr", { class: u.disabled_at ? "revoked" : "", dataset: { user: u.name } },
    el("td", {}, u.name, state.me && u.name === state.me.user ? el("small", { class: "muted" }, t("dev.this_session")) : null),
    el("td", {}, t(`urole.${u.role}`)),
    el("td", {}, el("span", { class: `badge ${u.disabled_at ? "revoked" : "online"}` }, t(u.disabled_at ? "users.disabled" : "users.active"))),
    el("td", {}, el("button", { class: "small", onclick: () => resetUser(u) }, t("users.reset")),
      u.disabled_at || (state.me && u.name === state.me.user) ? null
        : el("button", { class: "danger small", onclick: () => disableUser(u) }, t("users.disable"))))));
}

async function addUser(event) {
  event.preventDefault();
  $("user-error").textContent = "";
  try {
    const made = await api("POST", "/console/users", { name: $("new-user").value.trim(), role: $("new-user-role").value,
      password: $("new-user-password").value });
    $("new-user").value = "";
    $("new-user-password").value = "";
    toast(t("users.added", { name: made.user.name }));
    loadUsers();
  } catch (e) {
    $("user-error").textContent = e.text || String(e);
  }
}

async function disableUser(u) {
  if (!confirm(t("users.confirm_disable", { name: u.name }))) return;
  try {
    await api("POST", `/console/users/${encodeURIComponent(u.name)}/disable`, {});
    loadUsers();
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

async function resetUser(u) {
  const password = prompt(t("users.new_password", { name: u.name }));
  if (!password) return;
  try {
    await api("POST", `/console/users/${encodeURIComponent(u.name)}/reset`, { password });
    toast(t("users.reset_ok", { name: u.name }));
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

// ---- devices and pairing --------------------------------------------------------------------
async function loadDevices() {
  try {
    state.devices = await api("GET", "/console/devices");
  } catch (e) {
    return;
  }
  renderDevices();
}

function windowOptions() {
  const windows = state.overview ? state.overview.snapshot.windows : [];
  return windows.map((w) => el("option", { value: w.id }, `${w.id} · ${nameOf(w)}`));
}

function renderDevices() {
  const data = state.devices;
  if (!data) return;
  const select = $("pair-window");
  if (select.options.length !== (state.overview ? state.overview.snapshot.windows.length : 0)) {
    const keep = select.value;
    select.replaceChildren(...windowOptions());
    if (keep) select.value = keep;
  }
  $("pending-codes").replaceChildren(...data.pairing_codes.map((c) => el("li", {},
    el("b", { class: "mono" }, c.code), ` ${t(`role.${c.role}`)} · ${c.name}${c.window_id ? ` · #${c.window_id}` : ""} · `,
    t("dev.code_expires", { time: hhmm(c.expires_at) }))));
  $("pending-box").hidden = data.pairing_codes.length === 0;
  const rows = data.devices.filter((d) => !(d.session && d.id !== data.me && d.revoked_at));
  $("device-rows").replaceChildren(...rows.map((d) => {
    const status = d.revoked_at ? el("span", { class: "badge revoked" }, t("dev.revoked"))
      : d.online ? el("span", { class: "badge online" }, t("dev.online"))
        : el("span", { class: "badge offline" }, d.last_seen ? `${t("dev.offline")} · ${hhmm(d.last_seen)}` : t("dev.never"));
    return el("tr", { class: d.revoked_at ? "revoked" : "", dataset: { device: d.id, name: d.name } },
      el("td", { class: "num" }, d.id),
      el("td", {}, d.name, d.id === data.me ? el("small", { class: "muted" }, t("dev.this_session")) : null),
      el("td", {}, t(`role.${d.role}`)),
      el("td", {}, d.window_id || ""),
      el("td", {}, status, d.fault ? el("span", { class: "badge fault" }, faultText(d.fault)) : null),
      el("td", { class: "muted" }, (d.created_at || "").slice(0, 16).replace("T", " ")),
      el("td", {}, d.revoked_at || d.id === data.me ? "" : el("button", { class: "danger small", onclick: () => revokeDevice(d) }, t("dev.revoke"))));
  }));
}

async function revokeDevice(d) {
  if (!confirm(t("dev.confirm_revoke", { name: d.name }))) return;
  try {
    await api("POST", `/console/devices/${d.id}/revoke`, {});
    toast(t("dev.revoked_ok", { name: d.name }));
    loadDevices();
  } catch (e) {
    toast(e.text || String(e), "error");
  }
}

async function makeCode(event) {
  event.preventDefault();
  const role = $("pair-role").value;
  const name = $("pair-name").value.trim();
  $("pair-error").textContent = "";
  if (!name) { $("pair-error").textContent = t("dev.need_name"); return; }
  try {
    const made = await api("POST", "/console/pairing-codes",
      { role, name, window_id: role === "caller" ? Number($("pair-window").value) : null });
    $("code-box").hidden = false;
    $("code-title").textContent = t("dev.code_for", { role: t(`role.${made.role}`), name: made.name });
    $("code-value").textContent = made.code;
    $("code-expires").textContent = t("dev.code_expires", { time: hhmm(made.expires_at) });
    const fp = (made.ca_fingerprint || "").match(/.{1,4}/g) || [];
    $("code-fingerprint").textContent = fp.length ? t("dev.fingerprint", { fp: fp.join(" ") }) : "";
    $("pair-name").value = "";
    loadDevices();
  } catch (e) {
    $("pair-error").textContent = e.text || String(e);
  }
}

function roleChanged() {
  $("pair-window-field").hidden = $("pair-role").value !== "caller";
}

// ---- audit ----------------------------------------------------------------------------------
function auditDetail(entry) {
  const d = entry.detail || {};
  const parts = [];
  if (d.section) parts.push(`${d.section}: ${d.key}`);
  if (d.item) {
    const item = d.item;
    const name = item.name ? nameOf(item) : "";
    if (name) parts.push(name);
    if (item.hours) parts.push(item.hours.map((h) => `${h.days} ${h.open}-${h.close}`).join("，"));
    if (item.disabled) parts.push(t("cfg.clerk_disabled"));
  }
  if (d.pin_reset) parts.push(t("cfg.reset_pin"));
  if (d.name && !d.item) parts.push(d.name);
  if (d.role) parts.push(t(d.role in RANK ? `urole.${d.role}` : `role.${d.role}`));
  if (d.window) parts.push(`#${d.window}`);
  if (d.tickets) parts.push(d.tickets.join("、") + (d.to_window ? ` → #${d.to_window}` : d.service_id ? ` → ${d.service_id}` : ""));
  if (d.notice !== undefined) parts.push(`“${d.notice}”`);
  if (d.alert_wait_minutes) parts.push(t("common.minutes", { n: d.alert_wait_minutes }));
  if (d.clerk) parts.push(d.clerk);
  if (d.address) parts.push(d.address);
  return parts.join(" · ");
}

async function loadAudit() {
  let entries;
  try {
    entries = (await api("GET", "/console/audit")).entries;
  } catch (e) {
    return;
  }
  $("audit-rows").replaceChildren(...(entries.length ? entries.map((e) => {
    const key = `act.${e.action}`;
    return el("tr", { dataset: { action: e.action } },
      el("td", { class: "mono" }, e.at.slice(0, 19).replace("T", " ")),
      el("td", {}, e.actor),
      el("td", {}, el("span", { class: `act ${e.action.split(".")[0]}` }, t(key) === key ? e.action : t(key))),
      el("td", { class: "detail" }, auditDetail(e)));
  }) : [el("tr", {}, el("td", { colspan: 4, class: "muted" }, t("audit.empty")))]));
}

// ---- start ----------------------------------------------------------------------------------
function relabel() {
  $("lang-toggle").textContent = t("lang.switch");
  $("login-lang").textContent = t("lang.switch");
  document.title = t("app.title");
  if (state.socket) setLive(state.socket.readyState === WebSocket.OPEN);
  renderDashboard();
  renderDevices();
  applyRole();
  if (!$("app").hidden && currentView() === "users") loadUsers();
  if (!$("app").hidden && currentView() === "config") renderConfig($("view-config"));
  if (!$("app").hidden && currentView() === "audit") loadAudit();
}

function toggleLang() {
  setLang(getLang() === "zh" ? "en" : "zh");
}

function init() {
  applyI18n();
  relabel();
  onLangChange(relabel);
  whenSignedOut((expired) => showLogin(expired));
  $("login-form").addEventListener("submit", submitLogin);
  $("logout").addEventListener("click", logout);
  $("lang-toggle").addEventListener("click", toggleLang);
  $("login-lang").addEventListener("click", toggleLang);
  $("notice-form").addEventListener("submit", publishNotice);
  $("notice-text").addEventListener("input", () => { $("notice-text").dataset.dirty = "1"; });
  $("pair-form").addEventListener("submit", makeCode);
  $("pair-role").addEventListener("change", roleChanged);
  $("user-form").addEventListener("submit", addUser);
  window.addEventListener("hashchange", () => { if (token()) showView(); });
  roleChanged();
  if (token()) start(); else showLogin();
}

init();
