// Small helpers shared by the page modules: translated strings, dates, money, safe DOM.

let strings = null;

/** The translated string for key, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  if (strings === null) {
    const node = document.getElementById("js-strings");
    try {
      strings = node ? JSON.parse(node.textContent) : {};
    } catch (err) {
      strings = {};
    }
  }
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

export const lang = () => document.documentElement.lang || "en";

/** A fresh copy of the first element inside <template id=id>. */
export function clone(id) {
  const template = document.getElementById(id);
  if (!template) throw new Error(`parley: the page has no <template id="${id}">; the client needs it`);
  return template.content.firstElementChild.cloneNode(true);
}

/** Up to two initials for an avatar: "Bob Dupont" -> "BD", "alice" -> "A". */
export function initials(name) {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((w) => [...w][0].toUpperCase()).join("") || "?";
}

/** Fill an avatar element for a person: initials, and one of a few colours by their id. */
export function fillAvatar(node, { id, name }) {
  node.textContent = initials(name);
  node.classList.add(`avatar-c${Math.abs(Number(id) || 0) % 6}`);
}

export function formatMoney(price, currency) {
  if (price === null || price === undefined || price === "") return "";
  const n = Number(price);
  const amount = Number.isFinite(n)
    ? n.toLocaleString(lang(), { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : String(price);
  return currency ? `${amount} ${currency}` : amount;
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Clock time, e.g. "14:05" or "2:05 PM". */
export function formatClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(lang(), { hour: "numeric", minute: "2-digit" });
}

/** A short inbox time: "just now", "5 min", today's clock time, weekday, or date. */
export function formatShort(iso, now = new Date()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const seconds = Math.round((now - d) / 1000);
  if (seconds < 45) return t("just_now");
  if (seconds < 3600) {
    return new Intl.RelativeTimeFormat(lang(), { numeric: "auto", style: "short" }).format(-Math.round(seconds / 60), "minute");
  }
  if (sameDay(d, now)) return formatClock(iso);
  if (seconds < 6 * 86400) return d.toLocaleDateString(lang(), { weekday: "short" });
  return d.toLocaleDateString(lang(), { day: "numeric", month: "short", ...(d.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}) });
}

/** A day heading for the conversation: "Today", "Yesterday" or a date. */
export function formatDay(iso, now = new Date()) {
  const d = new Date(iso);
  if (sameDay(d, now)) return t("today");
  const y = new Date(now);
  y.setDate(now.getDate() - 1);
  if (sameDay(d, y)) return t("yesterday");
  return d.toLocaleDateString(lang(), { weekday: "long", day: "numeric", month: "long", ...(d.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}) });
}

export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function fullDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(lang(), { dateStyle: "full", timeStyle: "short" });
}

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** Append text to node, turning only http(s) URLs into links; everything else stays text. */
export function appendLinkified(node, text) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, -trail[0].length);
    const start = match.index;
    if (start > last) node.append(document.createTextNode(text.slice(last, start)));
    let safe = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") safe = parsed.href;
    } catch (err) { /* not a URL after all */ }
    if (safe) {
      const a = document.createElement("a");
      a.href = safe;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      a.textContent = url;
      node.append(a);
    } else {
      node.append(document.createTextNode(url));
    }
    last = start + url.length;
  }
  if (last < text.length) node.append(document.createTextNode(text.slice(last)));
}
