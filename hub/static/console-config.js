// Editing the hall's layout: zones, services, windows, clerks, hall name, notice and alerts.
// Each save sends one entry; the hub validates the whole hall and refuses edits that would
// strand waiting tickets, so the page only shows what the hub answers.
import { nameOf, t } from "/static/i18n.js";
import { api, el, toast } from "/static/console-api.js";

const cfg = { data: null, tab: "zones", zoneFilter: "", root: null, alertMinutes: null };
const TABS = ["zones", "services", "windows", "clerks", "hall"];

export async function renderConfig(root) {
  cfg.root = root;
  try {
    const [data, overview] = await Promise.all([api("GET", "/console/config"), api("GET", "/console/overview")]);
    cfg.data = data;
    cfg.alertMinutes = overview.alert_minutes;
  } catch (e) {
    return;
  }
  draw();
}

function draw() {
  const root = cfg.root;
  const tabs = el("div", { class: "tabs", role: "tablist" }, ...TABS.map((name) => el("button", {
    class: `tab${cfg.tab === name ? " active" : ""}`, role: "tab", dataset: { tab: name },
    onclick: () => { cfg.tab = name; draw(); },
  }, t(`cfg.${name}`))));
  const body = { zones: zonesTable, services: servicesTable, windows: windowsTable, clerks: clerksTable, hall: hallForm }[cfg.tab]();
  root.replaceChildren(el("div", { class: "panel" }, el("p", { class: "help" }, t("cfg.help")), tabs, body));
}

function zoneName(id) {
  const z = cfg.data.zones.find((x) => x.id === id);
  return z ? nameOf(z) : id;
}

// "mon-fri,sat" as people read it: 周一至周五、周六 / Mon–Fri, Sat (the hall file keeps the short form)
function daysText(spec) {
  const day = (d) => (/^(mon|tue|wed|thu|fri|sat|sun)$/.test(d) ? t("day." + d) : d);
  return String(spec).toLowerCase().replace(/\s+/g, "").split(",").map((part) => {
    const [a, b] = part.split("-");
    return b === undefined ? day(a) : t("day.range", { a: day(a), b: day(b) });
  }).join(t("day.list_sep"));
}

function hoursText(z) {
  if (z.always_open) return t("cfg.hours_24");
  return z.hours.map((h) => `${daysText(h.days)} ${h.open}–${h.close}${h.label ? ` (${nameOf(h, "label")})` : ""}`).join("；");
}

function actions(section, item, label) {
  return el("td", { class: "actions" },
    el("button", { class: "small", onclick: () => openEditor(section, item) }, t("common.edit")),
    section === "clerks" ? null : el("button", { class: "small danger", onclick: () => remove(section, item, label) }, t("common.delete")));
}

function table(headers, rows, addLabel, section, extra) {
  return el("div", {},
    el("div", { class: "table-bar" }, extra || el("span"), el("button", { class: "primary", dataset: { add: section }, onclick: () => openEditor(section, null) }, t(addLabel))),
    el("table", { class: "grid", dataset: { section } }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows)));
}

function zonesTable() {
  return table([t("f.prefix"), t("f.name"), t("f.hours"), ""], cfg.data.zones.map((z) => el("tr", { dataset: { id: z.id } },
    el("td", {}, el("span", { class: "prefix" }, z.prefix)), el("td", {}, nameOf(z), el("div", { class: "muted mono" }, z.id)),
    el("td", { class: "hours" }, hoursText(z)), actions("zones", z, nameOf(z)))), "cfg.add_zone", "zones");
}

function servicesTable() {
  const filter = el("select", { id: "zone-filter", onchange: (e) => { cfg.zoneFilter = e.target.value; draw(); } },
    el("option", { value: "" }, `${t("cfg.filter_zone")}: ${t("cfg.all")}`),
    ...cfg.data.zones.map((z) => el("option", { value: z.id, selected: cfg.zoneFilter === z.id }, nameOf(z))));
  const shown = cfg.data.services.filter((s) => !cfg.zoneFilter || s.zone === cfg.zoneFilter);
  return table([t("f.name"), t("f.zone"), t("f.minutes"), t("cfg.windows_of"), ""], shown.map((s) => el("tr", { dataset: { id: s.id } },
    el("td", {}, nameOf(s), el("div", { class: "muted mono" }, s.id)), el("td", {}, zoneName(s.zone)), el("td", { class: "num" }, s.minutes),
    el("td", { class: "muted" }, servingWindows(s).join(", ") || "—"), actions("services", s, nameOf(s)))), "cfg.add_service", "services", filter);
}

function servingWindows(s) {
  return cfg.data.windows.filter((w) => w.zones.includes(s.zone) || w.services.includes(s.id)).map((w) => w.id);
}

function windowsTable() {
  return table(["#", t("f.name"), t("f.zones"), t("f.services"), ""], cfg.data.windows.map((w) => el("tr", { dataset: { id: w.id } },
    el("td", { class: "num" }, w.id), el("td", {}, nameOf(w) || "—"), el("td", {}, w.zones.map(zoneName).join("、")),
    el("td", {}, w.services.map((id) => { const s = cfg.data.services.find((x) => x.id === id); return s ? nameOf(s) : id; }).join("、")),
    actions("windows", w, `${w.id}`))), "cfg.add_window", "windows");
}

function clerksTable() {
  return table([t("f.id"), t("f.name"), t("dev.col_status"), ""], cfg.data.clerks.map((c) => el("tr", { dataset: { id: c.id }, class: c.disabled ? "revoked" : "" },
    el("td", { class: "mono" }, c.id), el("td", {}, c.name),
    el("td", {}, el("span", { class: `badge ${c.disabled ? "revoked" : "online"}` }, t(c.disabled ? "cfg.clerk_disabled" : "cfg.clerk_active"))),
    el("td", { class: "actions" },
      el("button", { class: "small", onclick: () => openEditor("clerks", c) }, t("common.edit")),
      el("button", { class: "small", onclick: () => resetPin(c) }, t("cfg.reset_pin")),
      el("button", { class: `small ${c.disabled ? "" : "danger"}`, onclick: () => save("clerks", c.id, { ...c, disabled: !c.disabled }) },
        t(c.disabled ? "cfg.enable" : "cfg.disable"))))), "cfg.add_clerk", "clerks");
}

function hallForm() {
  const hall = cfg.data.hall;
  const name = el("input", { id: "hall-name-input", value: hall.name, maxlength: 60 });
  const nameEn = el("input", { id: "hall-name-en-input", value: hall.name_en || "", maxlength: 80 });
  const minutes = el("input", { id: "alert-minutes", type: "number", min: 5, max: 240, value: cfg.alertMinutes });
  const error = el("p", { class: "error", role: "alert" });
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      cfg.data = await api("PUT", "/console/config/hall", { name: name.value, name_en: nameEn.value });
      const saved = await api("PUT", "/console/settings", { alert_wait_minutes: Number(minutes.value) });
      cfg.alertMinutes = saved.alert_minutes;
      toast(t("common.saved"));
    } catch (err) {
      error.textContent = err.text || String(err);
    }
  };
  return el("form", { class: "form narrow", id: "hall-form", onsubmit: submit },
    field(t("f.hall_name"), name), field(t("f.hall_name_en"), nameEn), field(t("alert.threshold"), minutes),
    error, el("div", { class: "buttons" }, el("button", { class: "primary", type: "submit" }, t("common.save"))));
}

function field(label, input, cls = "") {
  return el("label", { class: `field ${cls}` }, el("span", {}, label), input);
}

async function remove(section, item, label) {
  if (!confirm(t("common.confirm_delete", { name: label }))) return;
  try {
    cfg.data = await api("DELETE", `/console/config/${section}/${encodeURIComponent(item.id)}`);
    toast(t("common.saved"));
    draw();
  } catch (e) {
    toast(e.text || String(e), "error");
    showError(e.text || String(e));
  }
}

function showError(text) {
  const bar = cfg.root.querySelector(".table-bar");
  let box = cfg.root.querySelector("#config-error");
  if (!box) {
    box = el("p", { id: "config-error", class: "error banner", role: "alert" });
    bar.after(box);
  }
  box.textContent = text;
}

async function resetPin(c) {
  const pin = prompt(t("cfg.new_pin", { name: c.name }));
  if (pin === null) return;
  await save("clerks", c.id, { ...c, pin });
}

async function save(section, key, item, errorBox) {
  try {
    cfg.data = await api("PUT", `/console/config/${section}/${encodeURIComponent(key)}`, item);
    toast(t("common.saved"));
    draw();
    return true;
  } catch (e) {
    if (errorBox) errorBox.textContent = e.text || String(e);
    else { toast(e.text || String(e), "error"); showError(e.text || String(e)); }
    return false;
  }
}

// ---- the editor dialog ----------------------------------------------------------------------
function openEditor(section, item) {
  const creating = item === null;
  const data = item ? structuredClone(item) : {};
  const inputs = {};
  const text = (key, attrs = {}) => (inputs[key] = el("input", { name: key, value: data[key] ?? "", ...attrs }));
  const rows = [];
  if (section === "windows") rows.push(field("#", text("id", { type: "number", min: 1, max: 9999, readonly: !creating })));
  else rows.push(field(t("f.id"), text("id", { readonly: !creating, placeholder: section === "clerks" ? "c021" : "a-z 0-9 -" })));
  rows.push(field(t("f.name"), text("name")));
  if (section !== "clerks") rows.push(field(t("f.name_en"), text("name_en")));
  let hours = null;
  if (section === "zones") {
    rows.push(field(t("f.prefix"), text("prefix", { maxlength: 1, class: "short" })));
    inputs.always_open = el("input", { type: "checkbox", name: "always_open", checked: !!data.always_open });
    rows.push(el("label", { class: "check" }, inputs.always_open, t("f.always_open")));
    hours = hoursEditor(data.hours || []);
    rows.push(el("div", { class: "field wide-field" }, el("span", {}, t("f.hours")), hours.node));
    inputs.description = el("textarea", { name: "description", rows: 2 }, data.description || "");
    rows.push(field(t("f.description"), inputs.description, "wide-field"));
  }
  if (section === "services") {
    inputs.zone = el("select", { name: "zone" }, ...cfg.data.zones.map((z) => el("option", { value: z.id, selected: (data.zone || cfg.zoneFilter) === z.id }, nameOf(z))));
    rows.push(field(t("f.zone"), inputs.zone));
    rows.push(field(t("f.minutes"), text("minutes", { type: "number", min: 1, max: 480, step: "any", value: data.minutes ?? 8 })));
    inputs.keywords = el("input", { name: "keywords", value: (data.keywords || []).join(", ") });
    rows.push(field(t("f.keywords"), inputs.keywords, "wide-field"));
  }
  let zonesPick = null;
  let servicesPick = null;
  if (section === "windows") {
    zonesPick = checkList("zones", cfg.data.zones.map((z) => [z.id, nameOf(z)]), data.zones || []);
    servicesPick = checkList("services", cfg.data.services.map((s) => [s.id, `${nameOf(s)} · ${zoneName(s.zone)}`]), data.services || []);
    rows.push(el("div", { class: "field wide-field" }, el("span", {}, t("f.zones")), zonesPick.node));
    rows.push(el("div", { class: "field wide-field" }, el("span", {}, t("f.services")), servicesPick.node));
    coverByZones(zonesPick, servicesPick);
  }
  if (section === "clerks") {
    rows.push(field(t("f.pin"), text("pin", { type: "password", inputmode: "numeric", autocomplete: "new-password", value: "", placeholder: creating ? "" : t("f.pin_keep") })));
    inputs.disabled = el("input", { type: "checkbox", name: "disabled", checked: !!data.disabled });
    rows.push(el("label", { class: "check" }, inputs.disabled, t("f.disabled")));
  }
  const error = el("p", { class: "error", role: "alert", id: "editor-error" });
  const dialog = el("dialog", { class: "editor", id: "editor" });
  const close = () => { dialog.close(); dialog.remove(); };
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = "";
    const item = { ...data };
    for (const key of ["name", "name_en", "prefix"]) if (inputs[key]) item[key] = inputs[key].value.trim();
    if (section === "zones") {
      item.always_open = inputs.always_open.checked;
      item.hours = hours.value();
      item.description = inputs.description.value.trim();
    }
    if (section === "services") {
      item.zone = inputs.zone.value;
      item.minutes = Number(inputs.minutes.value);
      item.keywords = inputs.keywords.value.split(/[,，、]/).map((x) => x.trim()).filter(Boolean);
    }
    if (section === "windows") {
      item.zones = zonesPick.value();
      item.services = servicesPick.value();
    }
    if (section === "clerks") {
      item.pin = inputs.pin.value.trim() || null;
      item.disabled = inputs.disabled.checked;
    }
    const key = (inputs.id.value || "").trim();
    delete item.id;
    if (!key) { error.textContent = `${t("f.id")}?`; inputs.id.focus(); return; }
    if (creating && existing(section, key)) {
      error.textContent = t("cfg.exists", { key });
      return;
    }
    if (await save(section, key, item, error)) close();
  };
  dialog.append(el("form", { class: "form", onsubmit: submit },
    el("h3", {}, creating ? `${t("cfg.new_title")} · ${t(`cfg.${section}`)}` : t("cfg.edit_title", { name: nameOf(data) || data.id })),
    el("div", { class: "form-body" }, ...rows), error,
    el("div", { class: "buttons" }, el("button", { type: "button", onclick: close }, t("common.cancel")),
      el("button", { class: "primary", type: "submit", id: "editor-save" }, t("common.save")))));
  document.body.append(dialog);
  dialog.showModal();
}

function existing(section, key) {
  return cfg.data[section].some((x) => String(x.id) === String(key));
}

function checkList(name, options, chosen) {
  const boxes = options.map(([value, label]) => el("label", { class: "check" },
    el("input", { type: "checkbox", name, value, checked: chosen.includes(value) }), label));
  // a box disabled by coverByZones is shown ticked but is not the window's own choice
  return { node: el("div", { class: "check-list" }, ...boxes), inputs: boxes.map((b) => b.firstChild),
    value: () => boxes.map((b) => b.firstChild).filter((i) => i.checked && !i.disabled).map((i) => i.value) };
}

// A service in a ticked zone is served already: its box shows ticked and disabled (covered by the
// zone); unticking the zone gives the box back its own state.
function coverByZones(zonesPick, servicesPick) {
  const zoneOf = Object.fromEntries(cfg.data.services.map((s) => [s.id, s.zone]));
  for (const box of servicesPick.inputs) {
    box.dataset.own = box.checked ? "1" : "";
    box.addEventListener("change", () => { box.dataset.own = box.checked ? "1" : ""; });
  }
  const apply = () => {
    const zones = new Set(zonesPick.value());
    for (const box of servicesPick.inputs) {
      const covered = zones.has(zoneOf[box.value]);
      box.disabled = covered;
      box.checked = covered || box.dataset.own === "1";
      box.parentElement.title = covered ? t("f.covered_by_zone") : "";
      box.parentElement.classList.toggle("covered", covered);
    }
  };
  for (const box of zonesPick.inputs) box.addEventListener("change", apply);
  apply();
}

// The days as people read them (周一至周五); the hall file's short form ("mon-fri") is only the value.
const DAY_CHOICES = ["mon-fri", "mon-sat", "mon-sun", "sat-sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function daysPicker(days) {
  const choices = DAY_CHOICES.includes(days) ? DAY_CHOICES : [days, ...DAY_CHOICES];
  return el("select", { class: "days", name: "days", title: t("f.days") },
    ...choices.map((d) => el("option", { value: d, selected: d === days }, daysText(d))));
}

function hoursEditor(spans) {
  const list = el("div", { class: "hours-list" });
  const addRow = (h = { days: "mon-fri", open: "09:00", close: "17:30", label: "" }) => {
    const row = el("div", { class: "hours-row" },
      daysPicker(h.days),
      el("input", { class: "time", name: "open", value: h.open, title: t("f.open"), placeholder: "09:00" }),
      el("span", {}, "–"),
      el("input", { class: "time", name: "close", value: h.close, title: t("f.close"), placeholder: "17:30" }),
      el("input", { class: "label", name: "label", value: h.label || "", title: t("f.label"), placeholder: t("f.label") }),
      el("button", { type: "button", class: "small icon", onclick: () => row.remove(), title: t("common.delete") }, "×"));
    row.extra = { label_en: h.label_en || "" };
    list.append(row);
  };
  spans.forEach(addRow);
  const node = el("div", {}, list, el("button", { type: "button", class: "small", onclick: () => addRow() }, t("f.add_span")));
  const value = () => [...list.children].map((row) => {
    const get = (n) => row.querySelector(`[name=${n}]`).value.trim();
    return { days: get("days"), open: get("open"), close: get("close"), label: get("label"), label_en: row.extra.label_en };
  });
  return { node, value };
}
