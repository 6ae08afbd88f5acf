// HallQ web pages' strings: Chinese first, English on request (kept in localStorage).
//
//   import { t, setLang, getLang, addStrings, applyI18n, onLangChange, apiMessage } from "/static/i18n.js";
//   addStrings({ "login.title": ["管理台登录", "Console sign-in"], "x.count": ["{n} 人", "{n} people"] });
//   t("x.count", { n: 3 })             -> "3 人" (or "3 people")
//   <span data-i18n="login.title"></span>, <input data-i18n-placeholder="...">  filled by applyI18n()
//
// Each page registers its own catalogue; a missing key shows the key itself so it is noticed.

const STORAGE_KEY = "hallq.lang";
const LANGS = ["zh", "en"];
const strings = {};
const listeners = [];

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (e) { /* storage may be blocked; Chinese is the default anyway */ }
  return "zh";
}

let lang = initialLang();

export function addStrings(dict) {
  for (const [key, pair] of Object.entries(dict)) strings[key] = pair;
}

export function getLang() {
  return lang;
}

export function t(key, params) {
  const pair = strings[key];
  let text = pair ? (pair[lang === "en" ? 1 : 0] || pair[0]) : key;
  if (params) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return text;
}

// A hub error body {code, message, message_en} in the current language.
export function apiMessage(body) {
  if (!body) return "";
  return (lang === "en" ? body.message_en : body.message) || body.message || body.code || "";
}

// Pick a name from an object with zh `name` and optional `name_en` fields.
export function nameOf(obj, field = "name") {
  if (!obj) return "";
  return (lang === "en" && obj[field + "_en"]) || obj[field] || "";
}

export function applyI18n(root = document) {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
}

export function onLangChange(callback) {
  listeners.push(callback);
}

export function setLang(next) {
  if (!LANGS.includes(next)) return;
  lang = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch (e) { /* not persisted, still switched */ }
  applyI18n();
  listeners.forEach((cb) => cb(next));
}
