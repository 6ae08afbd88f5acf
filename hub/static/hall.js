// The citizens' hall page: zones and services with people waiting, the wait for a number taken now,
// today's hours, and how to get a number. Polls the hub (the numbers drift by the minute anyway).
import { t, addStrings, applyI18n, getLang, setLang, onLangChange, nameOf } from "/static/i18n.js";

addStrings({
  "lang.switch": ["English", "中文"],
  "title": ["办事大厅", "Service hall"],
  "today.date": ["今天 {date} {weekday}", "Today, {weekday} {date}"],
  "today.open": ["今日正常办公", "Open today"],
  "today.closed": ["今日休息：{name}", "Closed today: {name}"],
  "today.closed_plain": ["今日休息", "Closed today"],
  "today.working": ["今日调休上班", "Working day today (make-up day)"],
  "ways.title": ["怎样取号", "How to get a number"],
  "ways.kiosk": ["到大厅后，在自助取号机选择业务取号（可刷身份证）", "At the hall, take a number at a kiosk (ID card optional)"],
  "ways.book": ["提前预约，到厅凭预约码签到取号", "Book ahead, then check in with your booking code"],
  "ways.book_button": ["在线预约", "Book online"],
  "zone.open": ["办理中", "Open"],
  "zone.closed": ["已下班", "Closed"],
  "zone.no_window": ["暂无窗口", "No window open"],
  "zone.break": ["午休，{time} 开始办理", "Lunch break, reopens {time}"],
  "zone.opens": ["{time} 开始办理", "Opens {time}"],
  "notice.zh_only": ["公告（中文）", "Notice (in Chinese)"],
  "zone.all_day": ["24小时开放", "Open 24 hours"],
  "zone.no_hours": ["今日不办公", "Not open today"],
  "zone.waiting": ["等候 {n} 人", "{n} waiting"],
  "service.waiting": ["{n} 人等候", "{n} waiting"],
  "service.wait": ["约 {m} 分钟", "about {m} min"],
  "service.wait_range": ["约 {lo}-{hi} 分钟", "{lo}-{hi} min"],
  "service.wait_now": ["无需等候", "no wait"],
  "service.no_window": ["暂无窗口", "no window open"],
  "live.on": ["● 每 30 秒更新", "● Updated every 30 s"],
  "live.off": ["○ 网络中断，正在重试…", "○ Offline, retrying…"],
  "updated": ["{time} 更新", "Updated {time}"],
});

const REFRESH_MS = 30000;
const $ = (id) => document.getElementById(id);
let hall = null;

function weekday(iso) {
  const d = new Date(iso + "T12:00:00");
  const names = getLang() === "en" ? ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    : ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
  return names[(d.getDay() + 6) % 7];
}

function waitText(s) {
  if (s.estimated_wait_minutes === null) return t("service.no_window");
  const r = s.estimated_wait_range;
  if (!(s.estimated_wait_minutes > 0)) return t("service.wait_now");
  if (r && r[0] < r[1]) return t("service.wait_range", { lo: r[0], hi: r[1] });
  return t("service.wait", { m: s.estimated_wait_minutes });
}

// Each range in its own nowrap span so a narrow phone never breaks "13:00-17:30" in the middle.
function hoursNode(z) {
  const p = el("p", "zone-hours");
  if (z.always_open) p.textContent = t("zone.all_day");
  else if (!z.hours_today.length) p.textContent = t("zone.no_hours");
  else z.hours_today.forEach((h, i) => {
    const label = nameOf(h, "label");
    if (i) p.append("　");
    p.append(el("span", "range", `${h.open}-${h.close}${label ? " " + label : ""}`));
  });
  return p;
}

// 办理中 only when the zone is in its hours and some window serving it is open (a 24 h self-service
// area runs on its machines, staffed or not); closed at lunch says when it reopens, not 已下班.
function zoneBadge(z) {
  if (z.open) return z.open_windows || z.always_open ? ["open", t("zone.open")] : ["closed", t("zone.no_window")];
  if (z.reopens_at) return ["closed", t(z.on_break ? "zone.break" : "zone.opens", { time: z.reopens_at })];
  return ["closed", t("zone.closed")];
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render() {
  if (!hall) return;
  applyI18n();
  $("page").setAttribute("aria-busy", "false");
  $("hall").textContent = nameOf(hall.hall);
  document.title = `${nameOf(hall.hall)} · ${t("title")}`;
  const md = hall.today.slice(5).replace("-", "/");
  $("today-date").textContent = t("today.date", { date: md, weekday: weekday(hall.today) });
  const closed = hall.closed_day;
  $("today").dataset.closed = closed ? "yes" : "no";
  $("today-state").textContent = closed ? (nameOf(closed) ? t("today.closed", { name: nameOf(closed) }) : t("today.closed_plain"))
    : hall.working_day ? t("today.working") : t("today.open");
  const notice = $("notice");
  const english = getLang() === "en" && hall.hall.notice_en;
  notice.hidden = !hall.hall.notice;
  notice.lang = english ? "en" : "zh-CN";
  notice.replaceChildren();
  if (getLang() === "en" && !english && hall.hall.notice) notice.append(el("span", "notice-label", t("notice.zh_only")), " ");
  notice.append(english || hall.hall.notice || "");
  $("way-book").hidden = !hall.booking;

  const zones = $("zones");
  zones.replaceChildren();
  for (const z of hall.zones) {
    const card = el("section", "card zone-card");
    card.dataset.zone = z.id;
    card.dataset.open = z.open ? "yes" : "no";
    const head = el("div", "zone-head");
    const [cls, badge] = zoneBadge(z);
    head.append(el("h2", "zone-name", nameOf(z)), el("span", "badge " + cls, badge));
    card.append(head, hoursNode(z));
    if (z.waiting) card.append(el("p", "zone-waiting", t("zone.waiting", { n: z.waiting })));
    const list = el("ul", "services");
    for (const s of z.services) {
      const row = el("li", "service-row");
      row.dataset.service = s.id;
      const right = el("span", "service-figures");
      right.append(el("span", "service-waiting", t("service.waiting", { n: s.waiting })),
        el("span", "service-wait", z.open ? waitText(s) : ""));
      row.append(el("span", "service-name", nameOf(s)), right);
      list.append(row);
    }
    card.append(list);
    zones.append(card);
  }
  $("updated").textContent = t("updated", { time: hall.now.slice(11, 16) });
}

async function load() {
  try {
    const r = await fetch("/api/v1/public/hall", { cache: "no-store" });
    if (!r.ok) throw new Error(String(r.status));
    hall = await r.json();
    $("live").dataset.mode = "live.on";
    $("live").textContent = t("live.on");
    render();
  } catch (e) {
    $("live").dataset.mode = "live.off";
    $("live").textContent = t("live.off");
  }
}

$("lang").addEventListener("click", () => setLang(getLang() === "en" ? "zh" : "en"));
onLangChange(() => { render(); $("live").textContent = t($("live").dataset.mode || "live.on"); });
applyI18n();
load();
setInterval(load, REFRESH_MS);
