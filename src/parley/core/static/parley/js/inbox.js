// The inbox: rows rendered from JSON (textContent only), kept live from stream events.
import { connection } from "./connection.js";
import { el, formatMoney, formatShort, fullDate, readJSON, t } from "./util.js";

const PREVIEW_MAX = 120;
const page = readJSON("page-data");
const list = document.getElementById("inbox-list");
const empty = document.getElementById("inbox-empty");
const detailTemplate = document.getElementById("inbox").dataset.detailUrl; // ".../0/"
const me = page.me;
const rows = new Map(); // conversation id -> row data

function detailUrl(id) {
  return detailTemplate.replace(/\/0\/$/, `/${id}/`);
}

function preview(row) {
  const m = row.last_message;
  if (!m) return t("no_messages_yet");
  let text = m.body.replace(/\s+/g, " ").trim();
  if (text.length > PREVIEW_MAX) text = `${text.slice(0, PREVIEW_MAX - 1)}…`;
  return m.sender_id === me.id ? t("you_prefix", { text }) : text;
}

function renderRow(row) {
  const when = row.last_message ? row.last_message.created_at : row.last_activity_at;
  const thumb = row.listing.photo_url
    ? el("img", { cls: "thumb", attrs: { src: row.listing.photo_url, alt: "" } })
    : el("span", { cls: "thumb" });
  const time = el("time", { cls: "time", text: formatShort(when), attrs: { datetime: when, title: fullDate(when) } });
  const top = el("div", { cls: "top" }, [el("span", { cls: "listing-title", text: row.listing.title }), time]);
  const other = el("div", { cls: "other" }, [
    document.createTextNode(row.other.name),
    el("span", { cls: "role", text: row.role === "seller" ? t("selling") : t("buying") }),
    document.createTextNode(row.listing.price ? ` · ${formatMoney(row.listing.price, row.listing.currency)}` : ""),
  ]);
  const bottom = el("div", { cls: "bottom" }, [el("span", { cls: "preview", text: preview(row) })]);
  if (row.unread > 0) {
    bottom.append(el("span", { cls: "unread-count", text: String(row.unread), attrs: { "aria-label": t("unread_count", { count: row.unread }) } }));
  }
  const link = el("a", { cls: `inbox-row${row.unread > 0 ? " is-unread" : ""}`, attrs: { href: detailUrl(row.id) } }, [
    thumb,
    el("div", { cls: "main" }, [top, other, bottom]),
  ]);
  const li = el("li", { attrs: { "data-conversation-id": String(row.id) } }, [link]);
  return li;
}

function itemFor(id) {
  return list.querySelector(`li[data-conversation-id="${Number(id)}"]`);
}

function replace(row, { toTop = false, flash = false } = {}) {
  const fresh = renderRow(row);
  const old = itemFor(row.id);
  if (toTop || !old) list.prepend(fresh);
  else old.replaceWith(fresh);
  if (toTop && old) old.remove();
  if (flash) fresh.firstChild.classList.add("flash");
  empty.hidden = rows.size > 0;
}

function byActivity(a, b) {
  return (Date.parse(b.last_activity_at) || 0) - (Date.parse(a.last_activity_at) || 0);
}

for (const row of [...page.conversations].sort(byActivity)) {
  rows.set(row.id, row);
  list.append(renderRow(row));
}
empty.hidden = rows.size > 0;

const conn = connection();
conn.on("message.created", (data) => {
  const id = data.conversation.id;
  const prev = rows.get(id) || {};
  const row = {
    ...prev,
    ...data.conversation,
    last_message: data.message,
    unread: data.unread,
    last_read_seq: prev.last_read_seq ?? 0,
  };
  rows.set(id, row);
  replace(row, { toTop: true, flash: true });
});
conn.on("conversation.read", (data) => {
  if (data.user_id !== me.id || data.unread === undefined) return;
  const row = rows.get(data.conversation_id);
  if (!row) return;
  row.unread = data.unread;
  row.last_read_seq = Math.max(row.last_read_seq || 0, data.seq);
  replace(row);
});

// Keep "5 min" style times fresh.
setInterval(() => {
  for (const li of list.children) {
    const time = li.querySelector("time");
    if (time) time.textContent = formatShort(time.getAttribute("datetime"));
  }
}, 30000);
