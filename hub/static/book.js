// The citizen's booking (预约): service -> day -> slot (places left) -> phone -> code + QR.
// /b/{token} opens a booking by its own link: its code and QR, cancel, or reschedule (the same steps).
import { t, addStrings, applyI18n, apiMessage, getLang, setLang, onLangChange, nameOf } from "/static/i18n.js";

addStrings({
  "lang.switch": ["English", "中文"],
  "title": ["预约办事", "Book a visit"],
  "service.title": ["选择办理事项", "Choose a service"],
  "day.title": ["选择日期", "Choose a day"],
  "day.title_move": ["改约：选择新的日期", "Reschedule: choose a new day"],
  "day.today": ["今天", "Today"],
  "day.closed": ["{name}休息", "Closed ({name})"],
  "day.working": ["调休上班", "Working day"],
  "day.no_slots": ["不可预约", "No bookings"],
  "slot.title": ["选择时段", "Choose a time"],
  "slot.left": ["剩余 {n}/{c}", "{n} of {c} left"],
  "slot.SLOT_FULL": ["已约满", "Full"],
  "slot.BOOKING_CUTOFF": ["已截止", "Closed"],
  "slot.BOOKING_TOO_FAR": ["未开放", "Not yet open"],
  "slot.none": ["当天没有可预约的时段", "No slots that day"],
  "confirm.title": ["填写手机号，确认预约", "Your mobile number"],
  "confirm.title_move": ["确认改约", "Confirm the new time"],
  "phone.label": ["手机号码", "Mobile number"],
  "phone.placeholder": ["11 位手机号", "11-digit mobile number"],
  "phone.hint": ["手机号只用于核对预约和爽约记录，加密保存，不会显示完整号码", "Used only to check your booking; stored encrypted, never shown in full"],
  "phone.bad": ["请输入 11 位手机号码", "Please enter an 11-digit mobile number"],
  "submit.book": ["提交预约", "Book"],
  "submit.move": ["确认改约", "Move my booking"],
  "submit.sending": ["正在提交…", "Sending…"],
  "offline": ["网络不稳定，未提交，请再点一次", "Network problem; not sent, please tap again"],
  "booked.ok": ["预约成功", "Booked"],
  "booked.moved": ["已改约", "Rescheduled"],
  "booked.yours": ["我的预约", "My booking"],
  "booked.cancelled": ["预约已取消", "Booking cancelled"],
  "booked.used": ["已签到取号", "Checked in"],
  "booked.code": ["预约码", "Booking code"],
  "booked.phone": ["手机号 {phone}", "Phone {phone}"],
  "booked.how": ["请在 {from} 至 {to} 之间到厅，在自助取号机点“预约签到”，输入预约码取号。请保存本页链接，可随时取消或改约。",
                 "Come between {from} and {to}; at a kiosk tap \u201cBooking check-in\u201d and enter the code. Keep this page's link to cancel or reschedule."],
  "booked.reschedule": ["改约", "Reschedule"],
  "booked.cancel": ["取消预约", "Cancel booking"],
  "booked.cancel_confirm": ["确定取消这个预约吗？", "Cancel this booking?"],
  "rules": ["可预约今天起 {days} 天内的时段，开始前 {cutoff} 分钟截止。{limit} 天内爽约 {misses} 次，将暂停网上预约 {block} 天。",
            "Slots open {days} days ahead and close {cutoff} min before they start. {misses} missed bookings within {limit} days pause online booking for {block} days."],
  "invalid": ["预约链接无效或预约已过期", "This booking link is invalid or has passed"],
});

const API = "/api/v1/public";
const WEEKDAYS = { zh: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"], en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] };
const $ = (id) => document.getElementById(id);
const linkToken = location.pathname.startsWith("/b/") ? decodeURIComponent(location.pathname.slice(3)) : null;

let offer = null, service = null, day = null, slot = null, slots = null, booking = null;
let moving = false, requestId = null, sending = false, bookedKey = "booked.yours";

const newId = () => (crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "") : String(Date.now()) + Math.random().toString(16).slice(2));
const weekday = (d) => WEEKDAYS[getLang() === "en" ? "en" : "zh"][d.weekday];
const md = (iso) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}`;

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(...ids) {
  for (const id of ["step-service", "step-day", "step-slot", "step-phone", "booked"]) $(id).hidden = !ids.includes(id);
}

function showError(id, message) {
  $(id).hidden = !message;
  $(id).textContent = message || "";
}

async function api(path, body) {
  const r = await fetch(API + path, body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }
    : { cache: "no-store" });
  const data = await r.json().catch(() => ({}));
  return { ok: r.ok, data };
}

function renderServices() {
  const list = $("services");
  list.replaceChildren();
  for (const s of offer.services) {
    const b = el("button", "choice", nameOf(s));
    b.type = "button";
    b.dataset.service = s.id;
    b.addEventListener("click", () => { service = s; day = null; renderDays(); show("step-day"); });
    list.append(b);
  }
}

function renderDays() {
  $("day-title").textContent = t(moving ? "day.title_move" : "day.title");
  $("picked-service").textContent = nameOf(service);
  const list = $("days");
  list.replaceChildren();
  offer.days.forEach((d, i) => {
    const b = el("button", "day");
    b.type = "button";
    b.dataset.date = d.date;
    b.append(el("span", "day-week", i === 0 ? t("day.today") : weekday(d)), el("span", "day-date", md(d.date)));
    if (d.closed) {
      b.classList.add("closed");
      b.append(el("span", "day-note", t("day.closed", { name: nameOf(d.closed) })));
    } else if (!(d.services || []).includes(service.id)) {
      b.classList.add("closed");
      b.disabled = true;
      b.append(el("span", "day-note", t("day.no_slots")));
    } else if (d.working_day) {
      b.append(el("span", "day-note", t("day.working")));
    }
    b.addEventListener("click", () => pickDay(d));
    list.append(b);
  });
  show("step-day");
}

async function pickDay(d) {
  day = d;
  const { ok, data } = await api(`/booking/slots?service=${encodeURIComponent(service.id)}&day=${d.date}`);
  if (!ok) return;
  slots = data;
  renderSlots();
  show("step-day", "step-slot");
  $("step-slot").scrollIntoView({ block: "start" });
}

function renderSlots() {
  $("picked-day").textContent = `${md(day.date)} ${weekday(day)}`;
  $("day-closed").hidden = !slots.closed;
  $("day-closed").textContent = slots.closed ? t("day.closed", { name: nameOf(slots.closed) }) : "";
  document.querySelectorAll(".day").forEach((b) => b.classList.toggle("on", b.dataset.date === day.date));
  const list = $("slots");
  list.replaceChildren();
  if (!slots.slots.length && !slots.closed) list.append(el("p", "hint", t("slot.none")));
  for (const s of slots.slots) {
    const b = el("button", "slot");
    b.type = "button";
    b.dataset.start = s.start;
    b.disabled = !!s.refused;
    b.append(el("span", "slot-time", `${s.start}-${s.end}`),
      el("span", "slot-left", s.refused ? t("slot." + s.refused) : t("slot.left", { n: s.left, c: s.capacity })));
    b.addEventListener("click", () => { slot = s; requestId = null; renderConfirm(); });
    list.append(b);
  }
}

function renderConfirm() {
  document.querySelectorAll(".slot").forEach((b) => b.classList.toggle("on", slot && b.dataset.start === slot.start));
  $("confirm-title").textContent = t(moving ? "confirm.title_move" : "confirm.title");
  $("picked-slot").textContent = `${nameOf(service)} · ${md(day.date)} ${weekday(day)} ${slot.start}-${slot.end}`;
  $("phone-label").hidden = moving;
  $("phone-hint").hidden = moving;
  $("submit").textContent = t(moving ? "submit.move" : "submit.book");
  showError("error", "");
  show("step-day", "step-slot", "step-phone");
  $("step-phone").scrollIntoView({ block: "start" });
}

async function submit() {
  if (sending) return;
  const phone = $("phone").value.trim();
  if (!moving && !/^1\d{10}$/.test(phone)) return showError("error", t("phone.bad"));
  sending = true;
  $("submit").disabled = true;
  $("submit").textContent = t("submit.sending");
  requestId = requestId || newId();
  try {
    const { ok, data } = moving
      ? await api(`/bookings/${encodeURIComponent(booking.token)}/reschedule`, { request_id: requestId, day: day.date, start: slot.start })
      : await api("/bookings", { request_id: requestId, service_id: service.id, day: day.date, start: slot.start, phone });
    if (ok) {
      booking = data.booking;
      renderBooking(moving ? "booked.moved" : "booked.ok");
      if (!linkToken) history.replaceState(null, "", "/b/" + encodeURIComponent(booking.token));
      moving = false;
    } else {
      requestId = null;  // refused: a changed choice is a new request
      showError("error", apiMessage(data));
      if (day) pickDay(day).then(() => { if (slot) renderConfirm(); showError("error", apiMessage(data)); });
    }
  } catch (e) {
    showError("error", t("offline"));
  } finally {
    sending = false;
    $("submit").disabled = false;
    $("submit").textContent = t(moving ? "submit.move" : "submit.book");
  }
}

function renderBooking(stateKey) {
  const b = booking;
  bookedKey = stateKey;
  const state = b.cancelled ? "booked.cancelled" : b.checked_in ? "booked.used" : stateKey;
  $("booked").dataset.state = b.cancelled ? "cancelled" : "booked";
  $("booked-state").textContent = t(state);
  $("code").textContent = b.code;
  $("qr").src = b.qr;
  $("qr").hidden = b.cancelled;
  $("booked-service").textContent = getLang() === "en" ? b.service_name_en : b.service_name;
  const d = offer.days.find((x) => x.date === b.date);
  $("booked-when").textContent = `${md(b.date)} ${d ? weekday(d) : ""} ${b.start}-${b.end}`;
  $("booked-phone").textContent = b.phone_masked ? t("booked.phone", { phone: b.phone_masked }) : "";
  const shift = (hhmm, minutes) => {
    const m = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) + minutes;
    return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  };
  $("booked-how").textContent = t("booked.how", { from: shift(b.start, -b.early_minutes), to: shift(b.end, b.late_minutes) });
  $("booked-how").hidden = b.cancelled || b.checked_in;
  $("actions").hidden = b.cancelled || b.checked_in;
  showError("booked-error", "");
  show("booked");
  document.title = `${t("booked.code")} ${b.code}`;
}

async function cancel() {
  if (!confirm(t("booked.cancel_confirm"))) return;
  const { ok, data } = await api(`/bookings/${encodeURIComponent(booking.token)}/cancel`, { request_id: newId() });
  if (ok) { booking = data.booking; renderBooking("booked.cancelled"); } else showError("booked-error", apiMessage(data));
}

function reschedule() {
  moving = true;
  service = offer.services.find((s) => s.id === booking.service_id) || { id: booking.service_id, name: booking.service_name };
  renderDays();
}

function renderRules() {
  const r = offer.rules;
  $("rules").hidden = false;
  $("rules-text").textContent = t("rules", { days: r.days_ahead, cutoff: r.cutoff_minutes, misses: r.no_show_limit,
    limit: r.no_show_days, block: r.block_days });
}

function renderAll() {
  applyI18n();
  if (!offer) return;
  $("hall").textContent = nameOf(offer.hall);
  document.title = t("title");
  renderRules();
  renderServices();
  if (booking && !$("booked").hidden) return renderBooking(bookedKey);
  if (service && !$("step-day").hidden) {
    renderDays();
    if (day && slots) { renderSlots(); show("step-day", "step-slot"); }
    if (slot && !$("step-phone").hidden) renderConfirm();
  }
}

async function start() {
  const got = await api("/booking");
  if (!got.ok) return;
  offer = got.data;
  $("page").setAttribute("aria-busy", "false");
  renderAll();
  if (linkToken) {
    const { ok, data } = await api(`/bookings/${encodeURIComponent(linkToken)}`);
    if (!ok) {
      $("page").innerHTML = `<div class="invalid"><div class="invalid-mark" aria-hidden="true">!</div><h1>${t("invalid")}</h1></div>`;
      return;
    }
    booking = data.booking;
    renderBooking("booked.yours");
  } else {
    show("step-service");
  }
}

$("lang").addEventListener("click", () => setLang(getLang() === "en" ? "zh" : "en"));
onLangChange(renderAll);
$("submit").addEventListener("click", submit);
$("cancel").addEventListener("click", cancel);
$("reschedule").addEventListener("click", reschedule);
start();
