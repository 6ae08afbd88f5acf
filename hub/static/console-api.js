// Talking to the hub from the console: the session token, JSON calls, and small DOM helpers.
import { apiMessage, t } from "/static/i18n.js";

const TOKEN_KEY = "hallq.console.token";
let onSignedOut = () => {};

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(apiMessage(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  get text() {
    return apiMessage(this.body) || this.message;
  }
}

export async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { code: "NETWORK", message: t("common.network"), message_en: t("common.network") });
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    if (response.status === 401 && token() && !path.startsWith("/console/login")) {
      setToken(null);
      onSignedOut(true);
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export function requestId() {
  return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/-/g, "");
}

// el("div", {class: "x", onclick: fn}, child, "text", ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") node.style.cssText = value;  // through the CSSOM: the CSP forbids style attributes
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function toast(text, kind = "ok") {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = `toast show ${kind}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = "toast"; }, kind === "error" ? 6000 : 2500);
}

export function hhmm(iso) {
  return iso ? iso.slice(11, 16) : "";
}

export function minutesBetween(fromIso, toIso) {
  if (!fromIso || !toIso) return 0;
  return Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60000));
}
